package io.rollguard.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses {@code when} expressions (SPEC 3.2) by recursive descent over this grammar:
 *
 * <pre>
 * expr  := or
 * or    := and ("or" and)*
 * and   := not ("and" not)*
 * not   := "not" not | cmp
 * cmp   := sum (("<" | "<=" | ">" | ">=" | "==" | "!=") sum)?
 * sum   := prod (("+" | "-") prod)*
 * prod  := unary (("*" | "/") unary)*
 * unary := "-" unary | atom
 * atom  := NUMBER UNIT? | SLI | call | "(" expr ")"
 * UNIT  := ms | s | m | h | %
 * </pre>
 *
 * Then checks types ({@link TypeChecker}). Errors carry the column. Stateless entry point; a parser
 * instance is used for one expression.
 */
public final class ExprParser {

  private enum Kind {
    NUMBER,
    IDENT,
    STRING,
    OP,
    END
  }

  private record Token(Kind kind, String text, int column, double number, String unit) {}

  private final List<Token> tokens;
  private int at;

  private ExprParser(List<Token> tokens) {
    this.tokens = tokens;
  }

  /** Parses and type-checks a condition. */
  public static Expr parseCondition(String text) throws ExprException {
    Expr expr = parse(text);
    Type type = TypeChecker.typeOf(expr);
    if (type != Type.BOOLEAN) {
      throw new ExprException(1, "a 'when' must be a condition such as p95 > 500ms, not " + type);
    }
    return expr;
  }

  /** Parses an expression of any type (checked for consistency, not for being a condition). */
  public static Expr parse(String text) throws ExprException {
    ExprParser parser = new ExprParser(tokenize(text));
    Expr expr = parser.or();
    Token next = parser.peek();
    if (next.kind != Kind.END) {
      throw new ExprException(
          next.column, "unexpected '" + next.text + "' after a complete expression");
    }
    TypeChecker.typeOf(expr);
    return expr;
  }

  private Expr or() throws ExprException {
    Expr left = and();
    while (peekWord("or")) {
      int column = next().column;
      left = new Expr.Logical(column, false, left, and());
    }
    return left;
  }

  private Expr and() throws ExprException {
    Expr left = not();
    while (peekWord("and")) {
      int column = next().column;
      left = new Expr.Logical(column, true, left, not());
    }
    return left;
  }

  private Expr not() throws ExprException {
    if (peekWord("not")) {
      int column = next().column;
      return new Expr.Not(column, not());
    }
    return compare();
  }

  private Expr compare() throws ExprException {
    Expr left = sum();
    Token t = peek();
    if (t.kind == Kind.OP && List.of("<", "<=", ">", ">=", "==", "!=").contains(t.text)) {
      next();
      Expr right = sum();
      Token after = peek();
      if (after.kind == Kind.OP && List.of("<", "<=", ">", ">=", "==", "!=").contains(after.text)) {
        throw new ExprException(after.column, "comparisons do not chain; join them with 'and'");
      }
      return new Expr.Compare(t.column, t.text, left, right);
    }
    return left;
  }

  private Expr sum() throws ExprException {
    Expr left = product();
    while (peekOp("+") || peekOp("-")) {
      Token op = next();
      left = new Expr.Arithmetic(op.column, op.text.charAt(0), left, product());
    }
    return left;
  }

  private Expr product() throws ExprException {
    Expr left = unary();
    while (peekOp("*") || peekOp("/")) {
      Token op = next();
      left = new Expr.Arithmetic(op.column, op.text.charAt(0), left, unary());
    }
    return left;
  }

  private Expr unary() throws ExprException {
    if (peekOp("-")) {
      int column = next().column;
      return new Expr.Negate(column, unary());
    }
    return atom();
  }

  private Expr atom() throws ExprException {
    Token t = next();
    switch (t.kind) {
      case NUMBER -> {
        return literal(t);
      }
      case OP -> {
        if (t.text.equals("(")) {
          Expr inner = or();
          expect(")", "to close the '(' at column " + t.column);
          return inner;
        }
        throw new ExprException(t.column, "expected a value, got '" + t.text + "'");
      }
      case IDENT -> {
        return identifier(t);
      }
      case STRING ->
          throw new ExprException(
              t.column, "a quoted name goes inside gauge(...) or a check function");
      default -> throw new ExprException(t.column, "the expression ends where a value is expected");
    }
  }

  private Expr identifier(Token t) throws ExprException {
    String name = t.text;
    if (name.equals("and") || name.equals("or") || name.equals("not")) {
      throw new ExprException(t.column, "expected a value, got '" + name + "'");
    }
    Sli bare = Sli.BARE.get(name);
    if (bare != null) {
      if (peekOp("(")) {
        throw new ExprException(peek().column, "'" + name + "' takes no arguments");
      }
      return new Expr.SliRef(t.column, bare, Double.NaN, null);
    }
    if (name.equals("quantile")) {
      expect("(", "after quantile");
      Token q = next();
      if (q.kind != Kind.NUMBER || q.unit != null || q.number < 0 || q.number > 1) {
        throw new ExprException(
            q.column, "quantile(q) takes a number between 0 and 1, such as 0.975");
      }
      expect(")", "to close quantile(");
      return new Expr.SliRef(t.column, Sli.QUANTILE, q.number, null);
    }
    if (name.equals("worse_than_baseline") || name.equals("within_baseline")) {
      return judge(t, name.equals("worse_than_baseline"));
    }
    if (name.equals("baseline")) {
      expect("(", "after baseline");
      Expr inner = or();
      expect(")", "to close baseline(");
      return new Expr.Baseline(t.column, inner);
    }
    Sli named = Sli.NAMED.get(name);
    if (named != null) {
      expect("(", "after " + name);
      Token arg = next();
      if (arg.kind != Kind.STRING || arg.text.isEmpty()) {
        throw new ExprException(
            arg.column, name + "(...) takes a quoted name, such as " + name + "(\"db\")");
      }
      expect(")", "to close " + name + "(");
      return new Expr.SliRef(t.column, named, Double.NaN, arg.text);
    }
    throw new ExprException(t.column, "unknown name '" + name + "'" + suggestion(name));
  }

  /** What the judge compares (besides quantile(q)): the latency quantiles and the error rate. */
  private static final java.util.Set<Sli> JUDGED =
      java.util.EnumSet.of(Sli.P50, Sli.P75, Sli.P90, Sli.P95, Sli.P99, Sli.P999, Sli.ERROR_RATE);

  /** {@code worse_than_baseline(SLI, MARGIN%)}: a latency quantile or error_rate, a margin. */
  private Expr judge(Token t, boolean worse) throws ExprException {
    String name = t.text;
    String usage = name + "(p95, 10%) or " + name + "(error_rate, 50%)";
    expect("(", "after " + name);
    Token s = next();
    Sli sli = s.kind == Kind.IDENT ? Sli.BARE.get(s.text) : null;
    double quantile = Double.NaN;
    if (s.kind == Kind.IDENT && s.text.equals("quantile")) {
      Expr.SliRef q = (Expr.SliRef) identifier(s);
      sli = Sli.QUANTILE;
      quantile = q.argument();
      if (!(quantile > 0 && quantile < 1)) {
        throw new ExprException(
            s.column, name + " compares a quantile strictly between 0 and 1 (quantile(0.975))");
      }
    } else if (!JUDGED.contains(sli)) {
      throw new ExprException(
          s.column,
          name + " compares a latency quantile (p50..p999, quantile(q)) or error_rate: " + usage);
    }
    if (peek().kind == Kind.END) {
      throw new ExprException(
          peek().column,
          name
              + "( ends after its SLI: in a YAML flow list [a, b] the comma splits the"
              + " criterion, so quote it (\""
              + usage.substring(0, usage.indexOf(" or "))
              + "\") or put it on its own '- ' line");
    }
    expect(",", "between the SLI and the margin of " + name);
    Token m = next();
    if (m.kind != Kind.NUMBER || !"%".equals(m.unit) || m.number < 0 || m.number > 1_000) {
      throw new ExprException(
          m.column, "the margin of " + name + " is a percentage from 0% to 1000%: " + usage);
    }
    expect(")", "to close " + name + "(");
    return new Expr.Judge(t.column, worse, sli, quantile, m.number / 100, m.text);
  }

  private static Expr literal(Token t) throws ExprException {
    if (t.unit == null) {
      return new Expr.Literal(t.column, t.number, Type.ANY, t.text);
    }
    return switch (t.unit) {
      case "ms" -> new Expr.Literal(t.column, t.number, Type.DURATION, t.text);
      case "s" -> new Expr.Literal(t.column, t.number * 1_000, Type.DURATION, t.text);
      case "m" -> new Expr.Literal(t.column, t.number * 60_000, Type.DURATION, t.text);
      case "h" -> new Expr.Literal(t.column, t.number * 3_600_000, Type.DURATION, t.text);
      case "%" -> new Expr.Literal(t.column, t.number / 100, Type.RATIO, t.text);
      default ->
          throw new ExprException(
              t.column + t.text.length() - t.unit.length(),
              "unknown unit '" + t.unit + "' (use ms, s, m, h or %)");
    };
  }

  private static String suggestion(String name) {
    String best = null;
    int bestDistance = 3;
    List<String> known = new ArrayList<>(Sli.BARE.keySet());
    known.addAll(Sli.NAMED.keySet());
    known.add("quantile");
    known.add("baseline");
    known.add("worse_than_baseline");
    known.add("within_baseline");
    known.sort(null); // ties go to the first in name order, the same every time
    for (String candidate : known) {
      int d = distance(name, candidate);
      if (d < bestDistance) {
        bestDistance = d;
        best = candidate;
      }
    }
    return best == null ? "" : " (did you mean '" + best + "'?)";
  }

  private static int distance(String a, String b) {
    int[] row = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      row[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      int diagonal = row[0];
      row[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int above = row[j];
        row[j] =
            Math.min(
                Math.min(row[j] + 1, row[j - 1] + 1),
                diagonal + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
        diagonal = above;
      }
    }
    return row[b.length()];
  }

  private void expect(String op, String context) throws ExprException {
    Token t = next();
    if (t.kind != Kind.OP || !t.text.equals(op)) {
      throw new ExprException(
          t.column,
          "expected '"
              + op
              + "' "
              + context
              + ", got "
              + (t.kind == Kind.END ? "the end" : "'" + t.text + "'"));
    }
  }

  private Token peek() {
    return tokens.get(at);
  }

  private Token next() {
    Token t = tokens.get(at);
    if (t.kind != Kind.END) {
      at++;
    }
    return t;
  }

  private boolean peekOp(String op) {
    Token t = peek();
    return t.kind == Kind.OP && t.text.equals(op);
  }

  private boolean peekWord(String word) {
    Token t = peek();
    return t.kind == Kind.IDENT && t.text.equals(word);
  }

  private static List<Token> tokenize(String text) throws ExprException {
    List<Token> tokens = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      int column = i + 1;
      if (Character.isWhitespace(c)) {
        i++;
      } else if (Character.isDigit(c)
          || (c == '.' && i + 1 < text.length() && Character.isDigit(text.charAt(i + 1)))) {
        int start = i;
        while (i < text.length() && (Character.isDigit(text.charAt(i)) || text.charAt(i) == '.')) {
          i++;
        }
        String digits = text.substring(start, i);
        double value;
        try {
          value = Double.parseDouble(digits);
        } catch (NumberFormatException e) {
          throw new ExprException(column, "bad number '" + digits + "'");
        }
        int unitStart = i;
        while (i < text.length() && (Character.isLetter(text.charAt(i)) || text.charAt(i) == '%')) {
          i++;
        }
        String unit = i > unitStart ? text.substring(unitStart, i).toLowerCase(Locale.ROOT) : null;
        tokens.add(new Token(Kind.NUMBER, text.substring(start, i), column, value, unit));
      } else if (Character.isLetter(c) || c == '_') {
        int start = i;
        while (i < text.length()
            && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_')) {
          i++;
        }
        tokens.add(new Token(Kind.IDENT, text.substring(start, i), column, 0, null));
      } else if (c == '"' || c == '\'') {
        int end = text.indexOf(c, i + 1);
        if (end < 0) {
          throw new ExprException(column, "unterminated string");
        }
        tokens.add(new Token(Kind.STRING, text.substring(i + 1, end), column, 0, null));
        i = end + 1;
      } else {
        String two = i + 1 < text.length() ? text.substring(i, i + 2) : "";
        if (List.of("<=", ">=", "==", "!=").contains(two)) {
          tokens.add(new Token(Kind.OP, two, column, 0, null));
          i += 2;
        } else if ("<>+-*/(),".indexOf(c) >= 0) {
          tokens.add(new Token(Kind.OP, String.valueOf(c), column, 0, null));
          i++;
        } else if (c == '=') {
          throw new ExprException(column, "'=' is not an operator; compare with '=='");
        } else {
          throw new ExprException(column, "unexpected character '" + c + "'");
        }
      }
    }
    tokens.add(new Token(Kind.END, "", text.length() + 1, 0, null));
    return tokens;
  }
}
