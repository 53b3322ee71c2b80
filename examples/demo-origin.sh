#!/bin/sh
# Answers one HTTP request on stdin/stdout (run by socat for each connection): a tiny demo
# origin for the quickstart. Usage: demo-origin.sh NAME
sed -u '/^\r\{0,1\}$/q' >/dev/null
body="hello from $1 through sluice"
printf 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s\n' \
    $((${#body} + 1)) "$body"
