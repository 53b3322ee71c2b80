#!/usr/bin/perl
# A slow HTTP/1.1 origin for the TLS regtests (not a test itself): listens on ADDR:PORT (says
# "listening" on stdout when it does), serves COUNT connections one request each, then exits (and after 60 s whatever
# happens). POST: reads the body CHUNK bytes at a time with a pause between reads, answers
# "got N". GET /SIZE: answers SIZE bytes as fast as the peer takes them.
#     perl slowpeer.pl ADDR:PORT COUNT [CHUNK] [PAUSE_S]
use strict;
use warnings;
use IO::Socket::INET;

my ($addr, $count, $chunk, $pause) = @ARGV;
$chunk ||= 8192;
$pause ||= 0.0005;
alarm 60;
$| = 1;
my $l = IO::Socket::INET->new(LocalAddr => $addr, Listen => 8, ReuseAddr => 1)
    or die "listen $addr: $!";
print "listening\n";
for (1 .. $count) {
    my $c = $l->accept or die "accept: $!";
    my $head = '';
    while ($head !~ /\r\n\r\n/) {
        my $n = sysread($c, $head, 4096, length $head);
        last unless $n;
    }
    my ($line) = $head =~ /^([^\r]*)/;
    my ($len) = $head =~ /^content-length:\s*(\d+)/mi;
    my $got = length($head) - index($head, "\r\n\r\n") - 4;
    while ($got < ($len // 0)) {
        my $n = sysread($c, my $buf, $chunk);
        last unless $n;
        $got += $n;
        select(undef, undef, undef, $pause);
    }
    my $body;
    if ($line =~ m{^GET /(\d+)}) {
        print $c "HTTP/1.1 200 OK\r\nContent-Length: $1\r\nConnection: close\r\n\r\n";
        my $left = $1;
        my $blk = 'x' x 65536;
        while ($left > 0) {
            my $k = $left < 65536 ? $left : 65536;
            my $n = syswrite($c, $blk, $k) or last;
            $left -= $n;
        }
    } else {
        $body = "got $got\n";
        print $c "HTTP/1.1 200 OK\r\nContent-Length: " . length($body) .
            "\r\nConnection: close\r\n\r\n$body";
    }
    close $c;
}
