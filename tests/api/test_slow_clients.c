/* Slow clients cannot starve the server. With two worker threads, 24
 * connections misbehave at once: 8 stop in the middle of their headers, 8
 * send their headers and stop in the middle of the body, and 8 trickle
 * their headers a byte at a time, each byte well within the idle timeout
 * (the slowloris attack). Meanwhile ordinary requests, a booking among
 * them, are answered promptly, and every slow connection is cut off by the
 * server after the connection timeout, the trickling ones too. */
#include "apitest.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define THREADS   2
#define TIMEOUT_S 2
/* Wide margins for a shared machine running the sanitizers: an ordinary
 * request is answered within PROMPT_S (typically a few milliseconds), a
 * slow connection is cut within TIMEOUT_S + CUT_MARGIN_S. */
#define PROMPT_S     1.5
#define CUT_MARGIN_S 3.0
#define TRICKLE_MS   300 /* one byte every 0.3 s: never idle for 2 s */
#define MAX(a, b)    ((a) > (b) ? (a) : (b))
#define MIN(a, b)    ((a) < (b) ? (a) : (b))

enum { PER_KIND = 8, SLOW = 3 * PER_KIND };
enum kind { STALLED_HEADERS, STALLED_BODY, TRICKLE };

static struct harness H;

struct slow {
    enum kind kind;
    int fd;
    size_t sent;                      /* trickle: bytes of the request sent so far */
    double opened, next_byte, closed; /* closed: 0 while open */
};
static struct slow slow[SLOW];
static atomic_bool all_open;
static char trickled[512]; /* the request the trickling clients send */

static int
setup(void **state)
{
    (void)state;
    static const char *const env[] = {"RITMO_THREADS=2", "RITMO_CONNECTION_TIMEOUT_S=2",
                                      "RITMO_SERVICE_HOURS=00:05-23:55", NULL};
    return api_start(&H, env);
}

static int
teardown(void **state)
{
    (void)state;
    return api_stop(&H);
}

static int
connect_to_server(void)
{
    const char *colon = strrchr(H.base_url, ':');
    assert_non_null(colon);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)strtol(colon + 1, NULL, 10)),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

static void
send_all(int fd, const char *text)
{
    assert_int_equal(send(fd, text, strlen(text), MSG_NOSIGNAL), (ssize_t)strlen(text));
}

/* Opens connection i of its kind and sends what it sends at once. */
static void
open_slow(int i)
{
    struct slow *s = &slow[i];
    s->kind = (enum kind)(i % 3);
    s->fd = connect_to_server();
    s->opened = api_seconds();
    if (s->kind == STALLED_HEADERS) {
        send_all(s->fd, "POST /v1/bookings HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty");
    } else if (s->kind == STALLED_BODY) {
        char *head = fmt("POST /v1/bookings HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                         "%s\r\nContent-Type: application/json\r\nContent-Length: 2000\r\n\r\n"
                         "{\"client_id\":\"",
                         api_desk);
        send_all(s->fd, head);
        free(head);
    } else {
        s->next_byte = s->opened;
    }
}

/* Sends each trickling connection its next byte when due; notes when the
 * server closed a connection (end of stream or reset). */
static void
step(struct slow *s, double now)
{
    if (s->closed)
        return;
    struct pollfd p = {.fd = s->fd, .events = POLLIN};
    if (poll(&p, 1, 0) > 0) {
        char buf[512];
        ssize_t n = recv(s->fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n <= 0 && !(n < 0 && (errno == EAGAIN || errno == EINTR))) {
            s->closed = now;
            return;
        }
    }
    if (s->kind == TRICKLE && now >= s->next_byte && s->sent < strlen(trickled)) {
        if (send(s->fd, trickled + s->sent, 1, MSG_NOSIGNAL) != 1) {
            s->closed = now;
            return;
        }
        s->sent++;
        s->next_byte = now + TRICKLE_MS / 1000.0;
    }
}

static void *
slow_clients(void *arg)
{
    (void)arg;
    for (int i = 0; i < SLOW; i++)
        open_slow(i);
    atomic_store(&all_open, true);
    double deadline = api_seconds() + TIMEOUT_S + CUT_MARGIN_S + 5;
    for (;;) {
        double now = api_seconds();
        int open = 0;
        for (int i = 0; i < SLOW; i++) {
            step(&slow[i], now);
            open += !slow[i].closed;
        }
        if (!open || now > deadline)
            break;
        usleep(20000);
    }
    return NULL;
}

/* One ordinary request; returns how long its answer took. */
static double
timed(const char *method, const char *path, const char *body, long want)
{
    double t0 = api_seconds();
    json_decref(call(method, path, api_desk, body, want));
    return api_seconds() - t0;
}

static void
test_slow_clients_cannot_starve(void **state)
{
    (void)state;
    int64_t client = create_client("SLOW-1", "Slow test");
    add_indication(client, in_days(-10), in_days(400), 2000);
    snprintf(trickled, sizeof trickled,
             "GET /v1/clients?q=slow HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
             "%s\r\nAccept: application/json\r\n\r\n",
             api_desk);
    double cut_before = metric_value(H.base_url, "ritmo_http_connections_cut_total");

    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, slow_clients, NULL), 0);
    while (!atomic_load(&all_open))
        usleep(5000);
    /* ordinary requests while all 24 are held open, until they are due to
     * be cut: how long each took, and when each was answered */
    double worst = 0, answered_at[25];
    int answered = 0;
    while (answered < 25 && api_seconds() - slow[0].opened < TIMEOUT_S - 0.3) {
        double t = timed("GET", "/healthz", NULL, 200);
        t = MAX(t, timed("GET", "/v1/clients?q=Slow", NULL, 200));
        char *ride = ride_at(client, in_days(60 + answered), 12 * 60, NULL);
        t = MAX(t, timed("POST", "/v1/bookings", ride, 201));
        free(ride);
        answered_at[answered++] = api_seconds();
        worst = MAX(worst, t);
    }
    pthread_join(th, NULL);

    /* every slow connection was cut after the timeout, not before, and
     * not much later; the trickling ones by the request deadline */
    double longest = 0;
    for (int i = 0; i < SLOW; i++) {
        double lived = slow[i].closed - slow[i].opened;
        if (!slow[i].closed)
            fprintf(stderr, "slow connection %d (kind %d) was never cut off\n", i,
                    (int)slow[i].kind);
        else if (lived < TIMEOUT_S - 0.3 || lived > TIMEOUT_S + CUT_MARGIN_S)
            fprintf(stderr, "slow connection %d (kind %d) was cut off after %.2f s\n", i,
                    (int)slow[i].kind, lived);
        assert_true(slow[i].closed > 0);
        assert_true(lived >= TIMEOUT_S - 0.3 && lived <= TIMEOUT_S + CUT_MARGIN_S);
        longest = MAX(longest, lived);
        close(slow[i].fd);
    }
    double cut = metric_value(H.base_url, "ritmo_http_connections_cut_total") - cut_before;
    assert_true(cut >= PER_KIND);
    /* the ordinary requests were answered while all slow ones were held */
    double first_closed = slow[0].closed;
    for (int i = 0; i < SLOW; i++)
        first_closed = MIN(first_closed, slow[i].closed);
    int meanwhile = 0;
    for (int i = 0; i < answered; i++)
        meanwhile += answered_at[i] < first_closed;
    assert_true(meanwhile >= 1);
    assert_true(worst < PROMPT_S);
    print_message("slow clients: %d held open against %d worker threads; %d ordinary requests "
                  "meanwhile (%d rounds of three), slowest %.3f s; every slow connection cut "
                  "within %.2f s (timeout %d s), %.0f by the request deadline\n",
                  SLOW, THREADS, 3 * answered, answered, worst, longest, TIMEOUT_S, cut);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slow_clients_cannot_starve),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
