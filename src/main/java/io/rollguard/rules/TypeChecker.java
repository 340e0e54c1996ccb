package io.rollguard.rules;

/**
 * Infers and checks the type of every node of an expression (public so that values can be shown in
 * their unit). Mixing a duration with a ratio is an error that names the column of the operator
 * that mixes them. Stateless.
 */
public final class TypeChecker {

  private TypeChecker() {}

  public static Type typeOf(Expr expr) throws ExprException {
    if (expr instanceof Expr.Literal l) {
      return l.type();
    }
    if (expr instanceof Expr.SliRef s) {
      return s.sli().type();
    }
    if (expr instanceof Expr.Baseline b) {
      Type inner = numeric(b.inner(), "baseline(...) takes a number, a duration or a ratio");
      if (containsBaseline(b.inner())) {
        throw new ExprException(b.column(), "baseline(...) cannot be nested");
      }
      return inner;
    }
    if (expr instanceof Expr.Negate n) {
      return numeric(n.operand(), "'-' needs a number");
    }
    if (expr instanceof Expr.Arithmetic a) {
      return arithmetic(a);
    }
    if (expr instanceof Expr.Compare c) {
      Type left = numeric(c.left(), "'" + c.op() + "' compares numbers, durations or ratios");
      Type right = numeric(c.right(), "'" + c.op() + "' compares numbers, durations or ratios");
      if (!Type.compatible(left, right)) {
        throw new ExprException(
            c.column(),
            "cannot compare "
                + left
                + " ("
                + c.left()
                + ") with "
                + right
                + " ("
                + c.right()
                + ")");
      }
      return Type.BOOLEAN;
    }
    if (expr instanceof Expr.Judge) {
      return Type.BOOLEAN;
    }
    if (expr instanceof Expr.Logical l) {
      condition(l.left(), l.and() ? "and" : "or");
      condition(l.right(), l.and() ? "and" : "or");
      return Type.BOOLEAN;
    }
    Expr.Not n = (Expr.Not) expr;
    condition(n.operand(), "not");
    return Type.BOOLEAN;
  }

  private static Type arithmetic(Expr.Arithmetic a) throws ExprException {
    String what = "'" + a.op() + "' needs numbers, durations or ratios";
    Type left = numeric(a.left(), what);
    Type right = numeric(a.right(), what);
    switch (a.op()) {
      case '+', '-' -> {
        if (!Type.compatible(left, right)) {
          throw new ExprException(
              a.column(),
              "cannot " + (a.op() == '+' ? "add" : "subtract") + " " + left + " and " + right);
        }
        return left == Type.ANY ? right : left;
      }
      case '*' -> {
        if (left == Type.DURATION && right == Type.DURATION) {
          throw new ExprException(a.column(), "cannot multiply two durations");
        }
        if (left == Type.DURATION || right == Type.DURATION) {
          return Type.DURATION;
        }
        if (left == Type.ANY) {
          return right;
        }
        return right == Type.ANY
            ? left
            : (left == Type.RATIO && right == Type.RATIO ? Type.RATIO : Type.NUMBER);
      }
      default -> {
        if (right == Type.ANY || right == Type.NUMBER) {
          return left;
        }
        if (left == right || (left == Type.ANY && right == Type.RATIO)) {
          return Type.NUMBER;
        }
        throw new ExprException(a.column(), "cannot divide " + left + " by " + right);
      }
    }
  }

  private static Type numeric(Expr e, String message) throws ExprException {
    Type t = typeOf(e);
    if (!t.numeric()) {
      throw new ExprException(e.column(), message + ", not a condition");
    }
    return t;
  }

  private static void condition(Expr e, String op) throws ExprException {
    if (e instanceof Expr.Judge j) {
      throw new ExprException(
          e.column(),
          j
              + " is a rollout criterion on its own: write it as its own item under"
              + " rollback_when or promote_when, not with '"
              + op
              + "'");
    }
    if (typeOf(e) != Type.BOOLEAN) {
      throw new ExprException(
          e.column(), "'" + op + "' joins conditions such as p95 > 500ms, not " + typeOf(e));
    }
  }

  static boolean containsBaseline(Expr e) {
    if (e instanceof Expr.Baseline) {
      return true;
    }
    if (e instanceof Expr.Negate n) {
      return containsBaseline(n.operand());
    }
    if (e instanceof Expr.Not n) {
      return containsBaseline(n.operand());
    }
    if (e instanceof Expr.Arithmetic a) {
      return containsBaseline(a.left()) || containsBaseline(a.right());
    }
    if (e instanceof Expr.Compare c) {
      return containsBaseline(c.left()) || containsBaseline(c.right());
    }
    if (e instanceof Expr.Logical l) {
      return containsBaseline(l.left()) || containsBaseline(l.right());
    }
    return false;
  }
}
