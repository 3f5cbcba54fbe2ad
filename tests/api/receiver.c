/* The test webhook receiver (see receiver.h), on libmicrohttpd. */
#include "receiver.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <nettle/hmac.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct receiver {
    struct MHD_Daemon *d;
    int port;
    char secret[128];
    pthread_mutex_t mu;
    int fail;
    int n;
    struct delivery got[RECEIVER_MAX];
};

struct upload {
    char *body;
    size_t len;
};

/* "t=<t>,v1=<hex>": recompute HMAC-SHA256(secret, "<t>.<body>"). */
static bool
signature_ok(const char *secret, const char *header, const char *body, size_t len)
{
    if (!header || strncmp(header, "t=", 2))
        return false;
    const char *v1 = strstr(header, ",v1=");
    if (!v1)
        return false;
    struct hmac_sha256_ctx ctx;
    uint8_t mac[SHA256_DIGEST_SIZE];
    hmac_sha256_set_key(&ctx, strlen(secret), (const uint8_t *)secret);
    hmac_sha256_update(&ctx, (size_t)(v1 - header - 2), (const uint8_t *)header + 2);
    hmac_sha256_update(&ctx, 1, (const uint8_t *)".");
    hmac_sha256_update(&ctx, len, (const uint8_t *)body);
    hmac_sha256_digest(&ctx, sizeof mac, mac);
    char hex[2 * SHA256_DIGEST_SIZE + 1];
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
        snprintf(hex + 2 * i, 3, "%02x", mac[i]);
    return strcmp(v1 + 4, hex) == 0;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
           const char *version, const char *data, size_t *size, void **state)
{
    (void)url;
    (void)method;
    (void)version;
    struct receiver *rc = cls;
    struct upload *u = *state;
    if (!u) {
        *state = calloc(1, sizeof *u);
        return MHD_YES;
    }
    if (*size) {
        u->body = realloc(u->body, u->len + *size + 1);
        memcpy(u->body + u->len, data, *size);
        u->len += *size;
        u->body[u->len] = '\0';
        *size = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&rc->mu);
    bool ok = rc->fail == 0;
    if (rc->fail > 0)
        rc->fail--;
    if (rc->n < RECEIVER_MAX) {
        struct delivery *d = &rc->got[rc->n++];
        const char *id = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Idempotency-Key");
        const char *topic = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Ritmo-Topic");
        snprintf(d->id, sizeof d->id, "%s", id ? id : "");
        snprintf(d->topic, sizeof d->topic, "%s", topic ? topic : "");
        d->body = strdup(u->body ? u->body : "");
        d->signature_ok = signature_ok(
            rc->secret, MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Ritmo-Signature"),
            d->body, strlen(d->body));
        d->answered_ok = ok;
    }
    pthread_mutex_unlock(&rc->mu);
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
    MHD_queue_response(conn, ok ? 200 : 500, resp);
    MHD_destroy_response(resp);
    return MHD_YES;
}

static void
on_done(void *cls, struct MHD_Connection *conn, void **state, enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    struct upload *u = *state;
    if (u)
        free(u->body);
    free(u);
    *state = NULL;
}

static bool
listen_on(struct receiver *rc)
{
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)rc->port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    rc->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION,
                             (uint16_t)rc->port, NULL, NULL, on_request, rc, MHD_OPTION_SOCK_ADDR,
                             &a, MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL, MHD_OPTION_END);
    if (rc->d && !rc->port)
        rc->port = MHD_get_daemon_info(rc->d, MHD_DAEMON_INFO_BIND_PORT)->port;
    return rc->d != NULL;
}

struct receiver *
receiver_start(int port, const char *secret)
{
    struct receiver *rc = calloc(1, sizeof *rc);
    rc->port = port;
    snprintf(rc->secret, sizeof rc->secret, "%s", secret);
    pthread_mutex_init(&rc->mu, NULL);
    if (!listen_on(rc)) {
        free(rc);
        return NULL;
    }
    return rc;
}

int
receiver_port(const struct receiver *rc)
{
    return rc->port;
}

void
receiver_fail(struct receiver *rc, int n)
{
    pthread_mutex_lock(&rc->mu);
    rc->fail = n;
    pthread_mutex_unlock(&rc->mu);
}

void
receiver_pause(struct receiver *rc)
{
    MHD_stop_daemon(rc->d);
    rc->d = NULL;
}

bool
receiver_resume(struct receiver *rc)
{
    return listen_on(rc);
}

int
receiver_count(struct receiver *rc)
{
    pthread_mutex_lock(&rc->mu);
    int n = rc->n;
    pthread_mutex_unlock(&rc->mu);
    return n;
}

bool
receiver_get(struct receiver *rc, int i, struct delivery *out)
{
    pthread_mutex_lock(&rc->mu);
    bool ok = i >= 0 && i < rc->n;
    if (ok)
        *out = rc->got[i];
    pthread_mutex_unlock(&rc->mu);
    return ok;
}

void
receiver_free(struct receiver *rc)
{
    if (!rc)
        return;
    if (rc->d)
        MHD_stop_daemon(rc->d);
    for (int i = 0; i < rc->n; i++)
        free(rc->got[i].body);
    pthread_mutex_destroy(&rc->mu);
    free(rc);
}
