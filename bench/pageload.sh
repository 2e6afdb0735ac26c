#!/bin/bash
# Server CPU per page load (the page and every asset it links, asking for br/gzip as browsers do),
# from /proc/<pid>/stat over N loads by curl (one keep-alive connection per load).
# usage: pageload.sh PORT N  -> server CPU µs per page load (page + its assets, compressed as a browser asks)
PORT=$1; N=$2
PID=$(pgrep -f "example-counter --port $PORT")
cpu() { awk '{print $14+$15}' /proc/$PID/stat; }
URLS=$(curl -s 127.0.0.1:$PORT/ | grep -oE '(href|src)="/numerous-static/[^"]*"' | cut -d'"' -f2 | sort -u)
ARGS=""; for u in / $URLS; do ARGS="$ARGS -o /dev/null http://127.0.0.1:$PORT$u"; done
# warm up (first use compresses and keeps)
curl -s -H 'Accept-Encoding: gzip, deflate, br' $ARGS
C0=$(cpu)
for i in $(seq $N); do curl -s -H 'Accept-Encoding: gzip, deflate, br' $ARGS; done
C1=$(cpu)
echo "port $PORT: $(( (C1-C0)*10000/N )) µs server CPU per page load ($(echo $URLS | wc -w) assets + page), over $N loads"

# A returning browser's new tab: the page only (its assets are cached, immutable).
C0=$(cpu)
for i in $(seq $N); do curl -s -H 'Accept-Encoding: gzip, deflate, br' -o /dev/null http://127.0.0.1:$PORT/; done
C1=$(cpu)
echo "port $PORT: $(( (C1-C0)*10000/N )) µs server CPU per page alone (a returning browser's new tab, assets cached), over $N loads"
