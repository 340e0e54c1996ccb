#!/usr/bin/env bash
# Cuts a release (docs/releasing.md): scripts/release.sh 0.2.0
#  1. checks: on main, clean tree, VERSION is semantic and newer than the pom's, CHANGELOG has an
#     [Unreleased] section with content;
#  2. sets the version in pom.xml, dates the changelog section, commits "Release VERSION" and
#     tags vVERSION (annotated);
#  3. builds and tests that commit (mvn -B verify: the jar then says VERSION and the tag's commit),
#     writes target/release/rollguard-VERSION.jar and its .sha256;
#  4. moves main on to the next minor's -SNAPSHOT with a fresh [Unreleased] section.
# Nothing is pushed: the script prints what to push and publish. If the build fails, the release
# commit and tag are undone.
set -euo pipefail
cd "$(dirname "$0")/.."

version="${1:?usage: scripts/release.sh VERSION (for example 0.2.0)}"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "not a semantic version: $version" >&2; exit 2; }
[[ -z "$(git status --porcelain)" ]] || { echo "the working tree has changes; commit or stash them" >&2; exit 2; }
git rev-parse -q --verify "refs/tags/v$version" >/dev/null && { echo "tag v$version exists" >&2; exit 2; }

current="$(sed -n 's|^  <version>\(.*\)</version>$|\1|p' pom.xml | head -1)"
newest="$(printf '%s\n%s\n' "${current%-SNAPSHOT}" "$version" | sort -V | tail -1)"
if [[ "$newest" != "$version" ]]; then
  echo "version $version is older than the pom's $current" >&2; exit 2
fi
grep -q '^## \[Unreleased\]' CHANGELOG.md || { echo "CHANGELOG.md has no [Unreleased] section" >&2; exit 2; }

today="$(date -u +%Y-%m-%d)"
sed -i "0,/^  <version>.*<\/version>$/s||  <version>$version</version>|" pom.xml
sed -i "0,/^## \[Unreleased\]$/s||## [Unreleased]\n\n## [$version] - $today|" CHANGELOG.md
git commit -q -am "Release $version"
git tag -a "v$version" -m "Rollguard $version"

if ! mvn -B verify; then
  git tag -d "v$version" >/dev/null
  git reset -q --hard HEAD~1
  echo "the release build failed; release commit and tag undone" >&2
  exit 1
fi
mkdir -p target/release
cp target/rollguard.jar "target/release/rollguard-$version.jar"
(cd target/release && sha256sum "rollguard-$version.jar" > "rollguard-$version.jar.sha256")
java -jar "target/release/rollguard-$version.jar" --version

IFS=. read -r major minor _ <<<"$version"
next="$major.$((minor + 1)).0-SNAPSHOT"
sed -i "0,/^  <version>.*<\/version>$/s||  <version>$next</version>|" pom.xml
git commit -q -am "Start $next"

cat <<MSG
Released $version (tag v$version), main is now at $next.
Publish:
  git push origin main v$version
  upload target/release/rollguard-$version.jar and rollguard-$version.jar.sha256 to the release
  docker build -f docker/Dockerfile --build-arg COMMIT=$(git rev-parse --short "v$version") -t rollguard:$version .
MSG
