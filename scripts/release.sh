#!/usr/bin/env bash
# Cuts a release (docs/releasing.md): scripts/release.sh 0.2.0
#  1. checks: on main, a clean tree, VERSION is semantic and newer than the pom's, CHANGELOG.md has
#     an [Unreleased] section with something in it;
#  2. sets the version in pom.xml, dates the changelog section, commits "Release VERSION" and
#     tags vVERSION (annotated);
#  3. builds and tests that commit (mvn -B verify: the jar then says VERSION and the tag's commit),
#     writes target/release/rollguard-VERSION.jar and its .sha256;
#  4. moves main on to the next minor's -SNAPSHOT.
# Nothing is pushed: the script prints what to push and publish. If anything fails after the
# release commit, the commit and the tag are undone. Needs GNU sed and coreutils (Linux).
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "release: $*" >&2; exit 2; }

version="${1:-}"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "usage: scripts/release.sh VERSION (for example 0.2.0)"
[[ "$(git symbolic-ref --short HEAD)" == main ]] || die "releases are cut from main"
[[ -z "$(git status --porcelain)" ]] || die "the working tree has changes; commit or stash them"
! git rev-parse -q --verify "refs/tags/v$version" >/dev/null || die "tag v$version exists"

current="$(sed -n 's|^  <version>\(.*\)</version>\r\{0,1\}$|\1|p' pom.xml | head -1)"
[[ -n "$current" ]] || die "found no project <version> in pom.xml"
if [[ "$(printf '%s\n%s\n' "${current%-SNAPSHOT}" "$version" | sort -V | tail -1)" != "$version" ]]; then
  die "version $version is older than the pom's $current"
fi
unreleased="$(awk '/^## \[Unreleased\][[:space:]]*$/{on=1; next} /^## \[/{on=0} on && NF' CHANGELOG.md)"
[[ -n "$unreleased" ]] || die "CHANGELOG.md has no [Unreleased] section, or it is empty"

today="$(date -u +%Y-%m-%d)"
sed -i "0,/^  <version>.*<\/version>\r\{0,1\}$/s||  <version>$version</version>|" pom.xml
sed -i "0,/^## \[Unreleased\][[:space:]]*$/s||## [Unreleased]\n\n## [$version] - $today|" CHANGELOG.md
grep -q "^  <version>$version</version>$" pom.xml || die "could not set the version in pom.xml"
grep -q "^## \[$version\] - $today$" CHANGELOG.md || die "could not date the changelog section"

git commit -q -am "Release $version"
git tag -a "v$version" -m "Rollguard $version"
undo() {
  git tag -d "v$version" >/dev/null 2>&1 || true
  git reset -q --hard "v$version^" 2>/dev/null || git reset -q --hard HEAD~1
  echo "release: failed; the release commit and tag are undone" >&2
}
trap undo ERR

mvn -B verify
mkdir -p target/release
cp target/rollguard.jar "target/release/rollguard-$version.jar"
(cd target/release && sha256sum "rollguard-$version.jar" > "rollguard-$version.jar.sha256")
java -jar "target/release/rollguard-$version.jar" --version | grep -q "^rollguard $version (commit $(git rev-parse --short "v$version^{commit}")"
trap - ERR

IFS=. read -r major minor _ <<<"$version"
next="$major.$((minor + 1)).0-SNAPSHOT"
sed -i "0,/^  <version>.*<\/version>$/s||  <version>$next</version>|" pom.xml
git commit -q -am "Start $next"

commit="$(git rev-parse --short "v$version^{commit}")"
cat <<MSG
Released $version (tag v$version, commit $commit); main is now at $next.
Publish:
  git push origin main v$version
  upload target/release/rollguard-$version.jar and rollguard-$version.jar.sha256
  docker build -f docker/Dockerfile --build-arg COMMIT=$commit -t rollguard:$version .
MSG
