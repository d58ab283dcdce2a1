/* sockets: a small server that holds the kinds of state a checkpoint must carry, and says
 * whether each survived. It is the doctor's CRIU probe and the socket workload of the tests.
 *
 *   sockets serve   holds a TCP listener (PORT, default 7000), a UDP socket (UDP_PORT,
 *                   default 7001), a connected unix socket pair with one message queued in
 *                   it, MEM_MIB MiB (default 8) of anonymous memory filled from a seed, and a
 *                   counter that ticks ten times a second. BIND (default 0.0.0.0) is the
 *                   address; port 0 takes any free port. With STATE_FILE it writes
 *                   "PID TCP_PORT UDP_PORT" there once it listens. With a /data directory it
 *                   appends "N REALTIME_MS" to /data/heartbeat.log, like the other workloads.
 *   sockets check [HOST [PORT]]   connects over TCP, sends "check", prints the answer and
 *                   exits 0 when it begins with "ok".
 *
 * On "check" the server re-hashes its memory against the hash taken at start, moves the
 * queued unix message from one end to the other and back, and sends a datagram to its own
 * UDP socket and reads it back; it answers
 *   "ok pid=P count=N mem=HASH tcp=PORT udp=PORT unix=ok udp_echo=ok"
 * or "bad ..." naming what failed. UDP datagrams "ping" are answered "pong N". */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const char UNIX_MSG[] = "ferry-unix-queued";

static uint64_t *mem;
static size_t mem_words;
static uint64_t mem_hash_at_start;
static int unix_pair[2];
static int udp_fd;
static unsigned long count;

static uint64_t hash_memory(void) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < mem_words; i++) { h ^= mem[i]; h *= 1099511628211ull; }
    return h;
}

static void fill_memory(size_t mib) {
    mem_words = mib * 1024 * 1024 / sizeof(uint64_t);
    if (mem_words == 0) return;
    mem = mmap(NULL, mem_words * sizeof(uint64_t), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) { perror("sockets: mmap"); exit(1); }
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (size_t i = 0; i < mem_words; i++) { x ^= x << 13; x ^= x >> 7; x ^= x << 17; mem[i] = x; }
}

static int env_int(const char *name, int def) {
    const char *v = getenv(name);
    return v && *v ? atoi(v) : def;
}

static int bound_socket(int type, const char *addr, int port) {
    int fd = socket(AF_INET, type, 0);
    if (fd < 0) { perror("sockets: socket"); exit(1); }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
    if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) { fprintf(stderr, "sockets: bad BIND %s\n", addr); exit(1); }
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) { perror("sockets: bind"); exit(1); }
    return fd;
}

static int port_of(int fd) {
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    getsockname(fd, (struct sockaddr *)&sa, &len);
    return ntohs(sa.sin_port);
}

/* Moves the queued message from end 1 to end 0 and back, so the queue holds it again. */
static int unix_roundtrip(void) {
    char buf[64] = { 0 };
    ssize_t n = recv(unix_pair[1], buf, sizeof buf - 1, MSG_DONTWAIT);
    if (n != (ssize_t)strlen(UNIX_MSG) || strcmp(buf, UNIX_MSG) != 0) return 0;
    if (send(unix_pair[1], buf, n, 0) != n) return 0;
    n = recv(unix_pair[0], buf, sizeof buf - 1, MSG_DONTWAIT);
    if (n != (ssize_t)strlen(UNIX_MSG)) return 0;
    return send(unix_pair[0], UNIX_MSG, strlen(UNIX_MSG), 0) == (ssize_t)strlen(UNIX_MSG);
}

/* Sends a datagram to our own UDP socket and reads it back. */
static int udp_echo(void) {
    struct sockaddr_in self;
    socklen_t len = sizeof self;
    getsockname(udp_fd, (struct sockaddr *)&self, &len);
    if (self.sin_addr.s_addr == htonl(INADDR_ANY)) self.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int probe = socket(AF_INET, SOCK_DGRAM, 0);
    if (probe < 0) return 0;
    const char msg[] = "self-echo";
    int ok = sendto(probe, msg, sizeof msg, 0, (struct sockaddr *)&self, sizeof self) == (ssize_t)sizeof msg;
    close(probe);
    struct pollfd p = { .fd = udp_fd, .events = POLLIN };
    char buf[64];
    ok = ok && poll(&p, 1, 1000) == 1 && recv(udp_fd, buf, sizeof buf, 0) == (ssize_t)sizeof msg && memcmp(buf, msg, sizeof msg) == 0;
    return ok;
}

static void answer_check(int conn, int tcp_port, int udp_port) {
    char req[64] = { 0 };
    struct pollfd p = { .fd = conn, .events = POLLIN };
    if (poll(&p, 1, 2000) != 1 || read(conn, req, sizeof req - 1) <= 0) return;
    char out[256];
    if (strncmp(req, "check", 5) != 0) {
        snprintf(out, sizeof out, "bad request\n");
    } else {
        uint64_t h = hash_memory();
        int unix_ok = unix_roundtrip();
        int udp_ok = udp_echo();
        int ok = h == mem_hash_at_start && unix_ok && udp_ok;
        snprintf(out, sizeof out, "%s pid=%d count=%lu mem=%016llx tcp=%d udp=%d unix=%s udp_echo=%s\n",
                 ok ? "ok" : "bad", (int)getpid(), count, (unsigned long long)h, tcp_port, udp_port,
                 unix_ok ? "ok" : "lost", udp_ok ? "ok" : "lost");
    }
    ssize_t ignored = write(conn, out, strlen(out));
    (void)ignored;
}

static long long now_ms(clockid_t clock) {
    struct timespec t;
    clock_gettime(clock, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int serve(void) {
    const char *bind_addr = getenv("BIND") ? getenv("BIND") : "0.0.0.0";
    fill_memory((size_t)env_int("MEM_MIB", 8));
    mem_hash_at_start = hash_memory();
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, unix_pair) < 0) { perror("sockets: socketpair"); return 1; }
    if (send(unix_pair[0], UNIX_MSG, strlen(UNIX_MSG), 0) < 0) { perror("sockets: send"); return 1; }
    int listener = bound_socket(SOCK_STREAM, bind_addr, env_int("PORT", 7000));
    if (listen(listener, 16) < 0) { perror("sockets: listen"); return 1; }
    udp_fd = bound_socket(SOCK_DGRAM, bind_addr, env_int("UDP_PORT", 7001));
    int tcp_port = port_of(listener), udp_port = port_of(udp_fd);
    const char *state = getenv("STATE_FILE");
    if (state && *state) {
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s.tmp", state);
        FILE *f = fopen(tmp, "w");
        if (!f) { perror("sockets: STATE_FILE"); return 1; }
        fprintf(f, "%d %d %d\n", (int)getpid(), tcp_port, udp_port);
        fclose(f);
        rename(tmp, state);
    }
    struct stat st;
    FILE *beat = stat("/data", &st) == 0 && S_ISDIR(st.st_mode) ? fopen("/data/heartbeat.log", "a") : NULL;
    long long next_tick = now_ms(CLOCK_MONOTONIC);
    for (;;) {
        long long wait = next_tick - now_ms(CLOCK_MONOTONIC);
        struct pollfd p[2] = { { .fd = listener, .events = POLLIN }, { .fd = udp_fd, .events = POLLIN } };
        int n = poll(p, 2, wait > 0 ? (int)wait : 0);
        if (n < 0 && errno != EINTR) { perror("sockets: poll"); return 1; }
        if (n > 0 && (p[0].revents & POLLIN)) {
            int conn = accept(listener, NULL, NULL);
            if (conn >= 0) { answer_check(conn, tcp_port, udp_port); close(conn); }
        }
        if (n > 0 && (p[1].revents & POLLIN)) {
            char buf[64];
            struct sockaddr_in from;
            socklen_t len = sizeof from;
            ssize_t got = recvfrom(udp_fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &len);
            if (got >= 4 && memcmp(buf, "ping", 4) == 0) {
                char out[64];
                int m = snprintf(out, sizeof out, "pong %lu\n", count);
                sendto(udp_fd, out, m, 0, (struct sockaddr *)&from, len);
            }
        }
        if (now_ms(CLOCK_MONOTONIC) >= next_tick) {
            count++;
            next_tick += 100;
            if (beat) { fprintf(beat, "%lu %lld\n", count, now_ms(CLOCK_REALTIME)); fflush(beat); }
        }
    }
}

static int check(const char *host, int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
    if (fd < 0 || inet_pton(AF_INET, host, &sa.sin_addr) != 1) { fprintf(stderr, "sockets: bad address %s\n", host); return 2; }
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) { fprintf(stderr, "sockets: connect %s:%d: %s\n", host, port, strerror(errno)); return 2; }
    ssize_t ignored = write(fd, "check\n", 6);
    (void)ignored;
    char buf[256] = { 0 };
    size_t have = 0;
    struct pollfd p = { .fd = fd, .events = POLLIN };
    while (have < sizeof buf - 1 && poll(&p, 1, 5000) == 1) {
        ssize_t n = read(fd, buf + have, sizeof buf - 1 - have);
        if (n <= 0) break;
        have += (size_t)n;
    }
    fputs(buf, stdout);
    return strncmp(buf, "ok", 2) == 0 ? 0 : 1;
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "check") == 0) {
        return check(argc >= 3 ? argv[2] : "127.0.0.1", argc >= 4 ? atoi(argv[3]) : env_int("PORT", 7000));
    }
    if (argc == 1 || strcmp(argv[1], "serve") == 0) return serve();
    fprintf(stderr, "usage: sockets [serve] | sockets check [HOST [PORT]]\n");
    return 2;
}
