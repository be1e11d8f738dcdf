/*
 * Echo load client shared by every server of benchmarks/peers: one thread, one epoll instance, N connections to
 * 127.0.0.1:PORT, each with exactly one request of S bytes in flight. Every byte echoed is checked (each request
 * carries the connection's random payload with a fresh sequence number in its first 8 bytes, so a lost, repeated
 * or shifted echo fails the run). After a warm-up it measures for a fixed duration and prints requests/s, latency
 * percentiles, its own CPU use and, given --server-pid, the server's user and system CPU per request read from
 * /proc/PID/stat over exactly the measured window.
 *
 * Bounded: at most 10,000 connections, 1 MiB per request, 120 s of measurement, 60 s of warm-up; only 127.0.0.1;
 * a run where no request completes for 5 s fails ("stalled").
 *
 *   gcc -O2 -o client client.c
 *   ./client --port 8888 [--connections 100] [--size 1024] [--duration 10] [--warmup 2] [--server-pid PID]
 *
 * Output: one human line, then one "result ..." line of key=value pairs for scripts.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNECTIONS 10000
#define MAX_SIZE (1 << 20)
#define MAX_DURATION 120.0
#define MAX_WARMUP 60.0
#define STALL_SECONDS 5.0
#define HIST_US 200000 /* 1 µs buckets up to 200 ms; slower ones land in the last bucket */

typedef struct {
    int fd;
    uint64_t seq;
    size_t sent, got;
    int want_out;
    double started;
    unsigned char *out, *in;
} conn_t;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double cpu_self(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* utime and stime of a process, in clock ticks (fields 14 and 15 of /proc/PID/stat; all its threads). */
static int proc_cpu(int pid, unsigned long long *user, unsigned long long *sys) {
    char path[64], buf[4096];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return -1;
    buf[n] = 0;
    char *p = strrchr(buf, ')'); /* the command name may hold spaces */
    if (!p) return -1;
    /* after ")": state(3) ppid(4) pgrp(5) session(6) tty(7) tpgid(8) flags(9) minflt(10) cminflt(11) majflt(12) cmajflt(13) utime(14) stime(15) */
    unsigned long long u, s;
    if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &u, &s) != 2) return -1;
    *user = u;
    *sys = s;
    return 0;
}

static void die(const char *what) {
    perror(what);
    exit(2);
}

static void usage(void) {
    fprintf(stderr, "usage: client --port P [--connections N] [--size S] [--duration SECONDS] [--warmup SECONDS] [--server-pid PID]\n");
    exit(2);
}

static void start_request(conn_t *c, double t);

static int epfd;
static size_t size;

static void set_out(conn_t *c, int want) {
    if (c->want_out == want) return;
    c->want_out = want;
    struct epoll_event ev = {.events = EPOLLIN | (want ? EPOLLOUT : 0), .data.ptr = c};
    if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0) die("epoll_ctl");
}

static void pump_out(conn_t *c) {
    while (c->sent < size) {
        ssize_t n = send(c->fd, c->out + c->sent, size - c->sent, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) break;
            die("send");
        }
        c->sent += (size_t)n;
    }
    set_out(c, c->sent < size);
}

static void start_request(conn_t *c, double t) {
    c->seq++;
    memcpy(c->out, &c->seq, sizeof c->seq);
    c->sent = c->got = 0;
    c->started = t;
    pump_out(c);
}

int main(int argc, char **argv) {
    int port = 0, connections = 100, server_pid = 0;
    double duration = 10, warmup = 2;
    size = 1024;
    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc) usage();
        if (!strcmp(argv[i], "--port")) port = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--connections")) connections = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--size")) size = (size_t)atol(argv[++i]);
        else if (!strcmp(argv[i], "--duration")) duration = atof(argv[++i]);
        else if (!strcmp(argv[i], "--warmup")) warmup = atof(argv[++i]);
        else if (!strcmp(argv[i], "--server-pid")) server_pid = atoi(argv[++i]);
        else usage();
    }
    if (port < 1 || port > 65535 || connections < 1 || connections > MAX_CONNECTIONS || size < 8 || size > MAX_SIZE ||
        duration <= 0 || duration > MAX_DURATION || warmup < 0 || warmup > MAX_WARMUP) {
        fprintf(stderr, "out of bounds: port 1-65535, connections 1-%d, size 8-%d, duration (0,%g], warmup [0,%g]\n",
                MAX_CONNECTIONS, MAX_SIZE, MAX_DURATION, MAX_WARMUP);
        return 2;
    }

    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) die("epoll_create1");
    conn_t *conns = calloc((size_t)connections, sizeof *conns);
    if (!conns) die("calloc");
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* 127.0.0.1 only */
    srand(12345);
    for (int i = 0; i < connections; i++) {
        conn_t *c = &conns[i];
        c->out = malloc(size);
        c->in = malloc(size);
        if (!c->out || !c->in) die("malloc");
        for (size_t k = 0; k < size; k++) c->out[k] = (unsigned char)rand();
        c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (c->fd < 0) die("socket");
        if (connect(c->fd, (struct sockaddr *)&addr, sizeof addr) < 0) die("connect");
        int one = 1;
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev) < 0) die("epoll_ctl");
    }

    static uint32_t hist[HIST_US + 1];
    double t0 = now();
    for (int i = 0; i < connections; i++) start_request(&conns[i], t0);

    double measure_from = t0 + warmup, measure_to = measure_from + duration;
    int measuring = warmup == 0;
    unsigned long long u0 = 0, s0 = 0, u1 = 0, s1 = 0;
    double cpu0 = cpu_self(), wall0 = t0;
    if (measuring && server_pid && proc_cpu(server_pid, &u0, &s0) < 0) die("/proc/PID/stat");
    unsigned long long requests = 0;
    double last_progress = t0;
    struct epoll_event events[512];
    for (;;) {
        int n = epoll_wait(epfd, events, 512, 100);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait");
        }
        double t = now();
        for (int e = 0; e < n; e++) {
            conn_t *c = events[e].data.ptr;
            if (events[e].events & EPOLLOUT) pump_out(c);
            if (!(events[e].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) continue;
            ssize_t got = recv(c->fd, c->in + c->got, size - c->got, 0);
            if (got == 0) {
                fprintf(stderr, "error: the server closed connection %d after %zu of %zu bytes\n", (int)(c - conns), c->got, size);
                return 1;
            }
            if (got < 0) {
                if (errno == EAGAIN || errno == EINTR) continue;
                die("recv");
            }
            c->got += (size_t)got;
            if (c->got > c->sent) {
                fprintf(stderr, "error: connection %d got %zu bytes back, only %zu sent\n", (int)(c - conns), c->got, c->sent);
                return 1;
            }
            if (c->got < size) continue;
            if (memcmp(c->in, c->out, size) != 0) {
                size_t at = 0;
                while (c->in[at] == c->out[at]) at++;
                fprintf(stderr, "error: connection %d request %llu: byte %zu came back wrong\n", (int)(c - conns), (unsigned long long)c->seq, at);
                return 1;
            }
            if (measuring) {
                long us = (long)((t - c->started) * 1e6);
                hist[us < 0 ? 0 : us > HIST_US ? HIST_US : us]++;
                requests++;
            }
            last_progress = t;
            start_request(c, t);
        }
        if (!measuring && t >= measure_from) {
            measuring = 1;
            if (server_pid && proc_cpu(server_pid, &u0, &s0) < 0) die("/proc/PID/stat");
            cpu0 = cpu_self();
            wall0 = t;
        } else if (measuring && t >= measure_to) {
            if (server_pid && proc_cpu(server_pid, &u1, &s1) < 0) die("/proc/PID/stat");
            break;
        }
        if (t - last_progress > STALL_SECONDS) {
            fprintf(stderr, "error: stalled: no request completed for %.0f s\n", STALL_SECONDS);
            return 1;
        }
    }
    double wall = now() - wall0, cpu = cpu_self() - cpu0;
    for (int i = 0; i < connections; i++) close(conns[i].fd);

    double p50 = -1, p99 = -1, p999 = -1;
    unsigned long long seen = 0;
    for (int us = 0; us <= HIST_US; us++) {
        seen += hist[us];
        if (p50 < 0 && seen * 2 >= requests) p50 = us;
        if (p99 < 0 && seen * 100 >= requests * 99) p99 = us;
        if (p999 < 0 && seen * 1000 >= requests * 999) { p999 = us; break; }
    }
    double rps = requests / wall;
    double tick_us = 1e6 / (double)sysconf(_SC_CLK_TCK);
    double su = requests ? (u1 - u0) * tick_us / requests : 0, ss = requests ? (s1 - s0) * tick_us / requests : 0;
    printf("%llu requests of %zu bytes over %d connections in %.2f s: %.0f req/s, p50 %.0f us, p99 %.0f us, client CPU %.0f%%",
           requests, size, connections, wall, rps, p50, p99, 100 * cpu / wall);
    if (server_pid) printf(", server %.2f us user + %.2f us sys per request (%.0f%% of a core)", su, ss, (u1 - u0 + s1 - s0) * tick_us / 1e6 / wall * 100);
    printf("\nresult requests=%llu seconds=%.3f rps=%.1f p50_us=%.0f p99_us=%.0f p999_us=%.0f client_cpu=%.3f server_user_us=%.3f server_sys_us=%.3f server_cpu=%.3f\n",
           requests, wall, rps, p50, p99, p999, cpu / wall, su, ss, server_pid ? (u1 - u0 + s1 - s0) * tick_us / 1e6 / wall : 0.0);
    return requests > 0 ? 0 : 1;
}
