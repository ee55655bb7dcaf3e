#!/bin/sh
# Generates the wordcount tool: build.sh VERSION OUTDIR
set -eu
version="$1"
out="$2"
mkdir -p "$out/bin" "$out/share/wordcount"
sed "s/@VERSION@/$version/g" wordcount.sh.in > "$out/bin/wordcount"
chmod 0755 "$out/bin/wordcount"
# The stop words shipped with the tool, one per line, sorted and unique.
tr -s ' \n' '\n' < stopwords.txt | grep -v '^$' | sort -u > "$out/share/wordcount/stopwords"
echo "$version" > "$out/share/wordcount/VERSION"
echo "built wordcount $version into $out"
