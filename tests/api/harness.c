/* The API test harness (see harness.h). */
#include "harness.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void
die(const char *what)
{
    fprintf(stderr, "harness: cannot %s: %s\n", what, strerror(errno));
    abort();
}

static char *
str_dup(const char *s)
{
    char *p = strdup(s);
    if (!p)
        die("allocate");
    return p;
}

int
harness_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) < 0)
        die("find a free port");
    close(fd);
    return ntohs(a.sin_port);
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void
remove_tree(const char *dir)
{
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Runs argv, as the postgres user when we are root (PostgreSQL refuses to
 * run as root). stdout goes to *out when out is given, else to log_path
 * (or is dropped). Returns the exit status, or -1. */
static int
run(struct harness *h, bool as_pg, const char *const *argv, char **out, const char *log_path)
{
    int pipefd[2] = {-1, -1};
    if (out && pipe(pipefd) < 0)
        die("create a pipe");
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        int log = open(log_path ? log_path : "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (out) {
            dup2(pipefd[1], 1);
            close(pipefd[0]);
            close(pipefd[1]);
        } else if (log >= 0) {
            dup2(log, 1);
        }
        if (log >= 0) {
            dup2(log, 2);
            close(log);
        }
        setenv("RITMO_DATABASE_URL", h->dburl, 1);
        const char *full[32];
        int n = 0;
        if (as_pg && h->as_root) {
            full[n++] = "runuser";
            full[n++] = "-u";
            full[n++] = "postgres";
            full[n++] = "--";
        }
        for (int i = 0; argv[i] && n < 31; i++)
            full[n++] = argv[i];
        full[n] = NULL;
        execvp(full[0], (char *const *)full);
        _exit(127);
    }
    if (out) {
        close(pipefd[1]);
        size_t len = 0, cap = 4096;
        char *buf = malloc(cap);
        ssize_t k;
        while (buf && (k = read(pipefd[0], buf + len, cap - len - 1)) > 0) {
            len += (size_t)k;
            if (cap - len < 2)
                buf = realloc(buf, cap *= 2);
        }
        if (!buf)
            die("allocate");
        buf[len] = '\0';
        close(pipefd[0]);
        *out = buf;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void
path_in(const struct harness *h, char *out, size_t size, const char *name)
{
    snprintf(out, size, "%s/%s", h->dir, name);
}

static void
dump_file(const struct harness *h, const char *name)
{
    char path[400], line[1024];
    path_in(h, path, sizeof path, name);
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    fprintf(stderr, "---- %s ----\n", name);
    while (fgets(line, sizeof line, f))
        fputs(line, stderr);
    fclose(f);
}

/* Forks a process that waits for this one to go away, however it goes
 * (normal end, failed assertion, crash), and then removes what the harness
 * started: the server (its pid arrives through the pipe), PostgreSQL and
 * the directory. */
static void
start_guardian(struct harness *h)
{
    int fds[2];
    /* close-on-exec: PostgreSQL and the server, started later, must not
     * hold the write end, or the guardian would never see this process go */
    if (pipe2(fds, O_CLOEXEC) < 0)
        die("create a pipe");
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        close(fds[1]);
        setsid(); /* survive a ctest timeout killing the test's process group */
        char buf[64];
        pid_t server = 0;
        ssize_t n;
        while ((n = read(fds[0], buf, sizeof buf - 1)) != 0) {
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                break;
            buf[n] = '\0';
            server = (pid_t)strtol(buf, NULL, 10);
        }
        if (server > 0)
            kill(server, SIGKILL);
        char data[400];
        path_in(h, data, sizeof data, "data");
        struct stat st;
        if (stat(data, &st) == 0) {
            const char *argv[] = {PG_BINDIR "/pg_ctl", "-D", data,   "-m",
                                  "immediate",         "-w", "stop", NULL};
            run(h, true, argv, NULL, NULL);
        }
        remove_tree(h->dir);
        _exit(0);
    }
    close(fds[0]);
    h->guard_fd = fds[1];
}

bool
harness_pg_start(struct harness *h)
{
    char data[400], log[400], opts[700];
    path_in(h, data, sizeof data, "data");
    path_in(h, log, sizeof log, "postgres.log");
    snprintf(opts, sizeof opts,
             "-p %d -k %s -c listen_addresses='' -c fsync=off -c full_page_writes=off "
             "-c max_connections=200",
             h->pg_port, h->sockdir);
    const char *argv[] = {
        PG_BINDIR "/pg_ctl", "-D", data, "-l", log, "-o", opts, "-w", "-t", "60", "start", NULL};
    if (run(h, true, argv, NULL, NULL) != 0) {
        fprintf(stderr, "harness: PostgreSQL did not start\n");
        dump_file(h, "postgres.log");
        return false;
    }
    return true;
}

static bool
pg_stop(struct harness *h, const char *mode)
{
    char data[400];
    path_in(h, data, sizeof data, "data");
    const char *argv[] = {PG_BINDIR "/pg_ctl", "-D", data, "-m", mode, "-w", "stop", NULL};
    return run(h, true, argv, NULL, NULL) == 0;
}

bool
harness_pg_stop(struct harness *h)
{
    return pg_stop(h, "fast");
}

bool
harness_pg_stop_immediate(struct harness *h)
{
    return pg_stop(h, "immediate");
}

static bool
pg_create(struct harness *h)
{
    char data[400], log[400];
    path_in(h, data, sizeof data, "data");
    path_in(h, log, sizeof log, "initdb.log");
    const char *initdb[] = {
        PG_BINDIR "/initdb", "-D",        data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
        "--no-locale",       "--no-sync", NULL};
    if (run(h, true, initdb, NULL, log) != 0) {
        fprintf(stderr, "harness: initdb failed\n");
        dump_file(h, "initdb.log");
        return false;
    }
    if (!harness_pg_start(h))
        return false;
    char port[16];
    snprintf(port, sizeof port, "%d", h->pg_port);
    const char *create[] = {
        PG_BINDIR "/createdb", "-h", h->sockdir, "-p", port, "-U", "postgres", "ritmo", NULL};
    return run(h, false, create, NULL, log) == 0;
}

char *
harness_sql(struct harness *h, const char *sql)
{
    char port[16];
    snprintf(port, sizeof port, "%d", h->pg_port);
    const char *argv[] = {PG_BINDIR "/psql", "-X", "-q",       "-t", "-A", "-v",
                          "ON_ERROR_STOP=1", "-h", h->sockdir, "-p", port, "-U",
                          "postgres",        "-d", "ritmo",    "-c", sql,  NULL};
    char *out = NULL;
    if (run(h, false, argv, &out, NULL) != 0) {
        free(out);
        return NULL;
    }
    size_t n = strlen(out);
    while (n && out[n - 1] == '\n')
        out[--n] = '\0';
    return out;
}

int
harness_ritmo(struct harness *h, char **out, const char *const *args)
{
    const char *argv[32] = {RITMO_BIN};
    int n = 1;
    for (int i = 0; args[i] && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    char log[400];
    path_in(h, log, sizeof log, "cli.log");
    return run(h, false, argv, out, log);
}

/* Every token the harness made, so that harness_stop can prove none of
 * them reached the server log (in every API test, not one). */
static char made_tokens[512][80];
static int n_made_tokens;

char *
harness_token(struct harness *h, const char *role, const char *bind_opt, const char *bind_id)
{
    const char *args[] = {"token", "create", "--role", role, "--name",
                          "test",  bind_opt, bind_id,  NULL};
    char *out = NULL;
    if (harness_ritmo(h, &out, args) != 0) {
        free(out);
        return NULL;
    }
    out[strcspn(out, "\n")] = '\0';
    if (n_made_tokens < 512)
        snprintf(made_tokens[n_made_tokens++], sizeof made_tokens[0], "%s", out);
    return out;
}

/* Personal data the tests sent: string values of these members of any
 * request body, so that harness_stop can prove none of it reached the
 * server log either (in every API test). Short values ("Home") are left
 * out: they could match log text by chance. */
static const char *const personal_keys[] = {
    "name", "pass_number", "address", "home_address", "phone", "email", "notes", "reason", NULL};
static pthread_mutex_t personal_mu = PTHREAD_MUTEX_INITIALIZER;
static char **personal;
static size_t n_personal, cap_personal;

static void
remember_personal(const char *key, json_t *j)
{
    const char *k;
    json_t *v;
    size_t i;
    if (json_is_object(j)) {
        json_object_foreach(j, k, v) remember_personal(k, v);
    } else if (json_is_array(j)) {
        json_array_foreach(j, i, v) remember_personal(key, v);
    } else if (json_is_string(j) && key && json_string_length(j) >= 6) {
        bool listed = false;
        for (i = 0; personal_keys[i] && !listed; i++)
            listed = !strcmp(key, personal_keys[i]);
        for (i = 0; listed && i < n_personal; i++)
            listed = strcmp(personal[i], json_string_value(j)) != 0;
        if (!listed)
            return;
        if (n_personal == cap_personal) {
            cap_personal = cap_personal ? 2 * cap_personal : 64;
            personal = realloc(personal, cap_personal * sizeof *personal);
            if (!personal)
                die("out of memory");
        }
        personal[n_personal++] = str_dup(json_string_value(j));
    }
}

static void
remember_body(const char *body)
{
    json_t *j = body ? json_loads(body, 0, NULL) : NULL;
    if (!j)
        return;
    pthread_mutex_lock(&personal_mu);
    remember_personal(NULL, j);
    pthread_mutex_unlock(&personal_mu);
    json_decref(j);
}

/* False (and says which) when a token the harness made, or personal data
 * a test sent, is in the log. */
static bool
log_holds_no_secret(const struct harness *h)
{
    char *log = harness_server_log(h);
    bool ok = true;
    for (int i = 0; log && i < n_made_tokens; i++)
        if (made_tokens[i][0] && strstr(log, made_tokens[i])) {
            fprintf(stderr, "harness: the server log holds API token %d of this test\n", i);
            ok = false;
        }
    pthread_mutex_lock(&personal_mu);
    for (size_t i = 0; i < n_personal; i++) {
        if (log && strstr(log, personal[i])) {
            fprintf(stderr, "harness: the server log holds personal data sent by the test: %s\n",
                    personal[i]);
            ok = false;
        }
        free(personal[i]);
    }
    n_personal = 0;
    pthread_mutex_unlock(&personal_mu);
    free(log);
    n_made_tokens = 0;
    return ok;
}

static bool
server_up(pid_t *pid, const char *base)
{
    for (int i = 0; i < 300; i++) {
        int status;
        if (waitpid(*pid, &status, WNOHANG) == *pid) {
            *pid = 0;
            return false;
        }
        struct http_resp r = harness_request_to(base, "GET", "/healthz", NULL, NULL, NULL);
        long code = r.status;
        http_resp_clear(&r);
        if (code == 200)
            return true;
        usleep(50000);
    }
    return false;
}

/* The server's extra settings, copied: callers often pass an array of
 * their own stack, and later servers (a second one, a restart) use them. */
static char *server_env_copy[64];
static const char *server_env[64];

static void
keep_server_env(const char *const *env)
{
    for (int i = 0; server_env_copy[i]; i++) {
        free(server_env_copy[i]);
        server_env_copy[i] = NULL;
    }
    int n = 0;
    for (; env && env[n] && n < 63; n++)
        server_env[n] = server_env_copy[n] = str_dup(env[n]);
    server_env[n] = NULL;
}
/* The certificate the server was given, when it serves HTTPS: it is
 * self-signed, so clients trust exactly it. */
static char tls_ca[512];

static bool
server_start(struct harness *h, pid_t *server_pid, char *base_url, size_t base_size)
{
    char log[400];
    path_in(h, log, sizeof log, "server.log");
    const char *const *extra_env = server_env;
    tls_ca[0] = '\0';
    for (int i = 0; extra_env && extra_env[i]; i++)
        if (!strncmp(extra_env[i], "RITMO_TLS_CERT=", 15))
            snprintf(tls_ca, sizeof tls_ca, "%s", extra_env[i] + 15);
    for (int attempt = 0; attempt < 5; attempt++) {
        int port = harness_free_port();
        snprintf(base_url, base_size, "%s://127.0.0.1:%d", tls_ca[0] ? "https" : "http", port);
        pid_t pid = fork();
        if (pid < 0)
            die("fork");
        if (pid == 0) {
            int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
            if (fd >= 0) {
                dup2(fd, 1);
                dup2(fd, 2);
                close(fd);
            }
            char listen[64];
            snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
            setenv("RITMO_DATABASE_URL", h->dburl, 1);
            setenv("RITMO_LISTEN", listen, 1);
            setenv("RITMO_DB_TIMEOUT_MS", "2000", 0);
            for (int i = 0; extra_env && extra_env[i]; i++)
                putenv(str_dup(extra_env[i]));
            execl(RITMO_BIN, RITMO_BIN, "serve", (char *)NULL);
            _exit(127);
        }
        *server_pid = pid;
        if (server_up(server_pid, base_url)) {
            dprintf(h->guard_fd, "%d\n", (int)pid);
            return true;
        }
        if (*server_pid) {
            kill(*server_pid, SIGKILL);
            waitpid(*server_pid, NULL, 0);
            *server_pid = 0;
        }
    }
    fprintf(stderr, "harness: ritmo serve did not start\n");
    dump_file(h, "server.log");
    return false;
}

bool
harness_start(struct harness *h, const char *const *extra_env)
{
    memset(h, 0, sizeof *h);
    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const char *tmp = getenv("TMPDIR");
    snprintf(h->dir, sizeof h->dir, "%s/ritmo-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(h->dir))
        die("create a temporary directory");
    h->as_root = geteuid() == 0;
    if (h->as_root) {
        struct passwd *pw = getpwnam("postgres");
        if (!pw || chown(h->dir, pw->pw_uid, pw->pw_gid) < 0) {
            fprintf(stderr, "harness: running as root needs the postgres system user\n");
            return false;
        }
    }
    start_guardian(h);
    snprintf(h->sockdir, sizeof h->sockdir, "%s", h->dir);
    h->pg_port = harness_free_port();
    snprintf(h->dburl, sizeof h->dburl, "host=%s port=%d dbname=ritmo user=postgres", h->sockdir,
             h->pg_port);
    if (!pg_create(h))
        return false;
    const char *migrate[] = {"migrate", NULL};
    if (harness_ritmo(h, NULL, migrate) != 0) {
        fprintf(stderr, "harness: ritmo migrate failed\n");
        dump_file(h, "cli.log");
        return false;
    }
    char *admin = harness_token(h, "admin", NULL, NULL);
    if (!admin) {
        fprintf(stderr, "harness: could not create an admin token\n");
        dump_file(h, "cli.log");
        return false;
    }
    snprintf(h->admin_token, sizeof h->admin_token, "%s", admin);
    free(admin);
    keep_server_env(extra_env);
    return server_start(h, &h->server_pid, h->base_url, sizeof h->base_url);
}

bool
harness_start_second_server(struct harness *h)
{
    return server_start(h, &h->server2_pid, h->base_url2, sizeof h->base_url2);
}

/* SIGTERM, then a clean exit 0 within 30 s (under the sanitizers that also
 * means no leak was found). */
static bool
stop_server(pid_t *pid)
{
    if (*pid <= 0)
        return true;
    bool clean = true;
    kill(*pid, SIGTERM);
    int status = -1;
    for (int i = 0; i < 600; i++) {
        if (waitpid(*pid, &status, WNOHANG) == *pid)
            break;
        status = -1;
        usleep(50000);
    }
    if (status == -1) {
        fprintf(stderr, "harness: ritmo serve did not stop within 30 s of SIGTERM\n");
        kill(*pid, SIGKILL);
        waitpid(*pid, NULL, 0);
        clean = false;
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "harness: ritmo serve exited with status %d\n", status);
        clean = false;
    }
    *pid = 0;
    return clean;
}

bool
harness_stop(struct harness *h)
{
    bool clean = stop_server(&h->server_pid);
    clean = stop_server(&h->server2_pid) && clean;
    if (!clean || getenv("RITMO_TEST_SHOW_LOGS"))
        dump_file(h, "server.log");
    clean = log_holds_no_secret(h) && clean;
    harness_pg_stop(h);
    remove_tree(h->dir);
    if (h->guard_fd > 0)
        close(h->guard_fd);
    h->guard_fd = 0;
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
    curl_global_cleanup();
    if (!clean) {
        /* cmocka reports a failed group teardown but still exits 0: make
         * the failure count. */
        fprintf(stderr, "harness: the test run was not clean (see above)\n");
        exit(1);
    }
    return clean;
}

struct buffer {
    char *data;
    size_t len;
};

static size_t
on_body(char *ptr, size_t size, size_t n, void *userdata)
{
    struct buffer *b = userdata;
    size_t add = size * n;
    char *grown = realloc(b->data, b->len + add + 1);
    if (!grown)
        die("allocate");
    b->data = grown;
    memcpy(b->data + b->len, ptr, add);
    b->len += add;
    b->data[b->len] = '\0';
    return add;
}

static void
copy_header(const char *line, size_t len, const char *name, char *out, size_t size)
{
    size_t nl = strlen(name);
    if (len > nl + 1 && strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
        const char *v = line + nl + 1;
        while (*v == ' ')
            v++;
        size_t vl = len - (size_t)(v - line);
        while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n'))
            vl--;
        snprintf(out, size, "%.*s", (int)vl, v);
    }
}

static size_t
on_header(char *line, size_t size, size_t n, void *userdata)
{
    struct http_resp *r = userdata;
    size_t len = size * n;
    copy_header(line, len, "X-Request-Id", r->request_id, sizeof r->request_id);
    copy_header(line, len, "Allow", r->allow, sizeof r->allow);
    copy_header(line, len, "Content-Type", r->content_type, sizeof r->content_type);
    copy_header(line, len, "Retry-After", r->retry_after, sizeof r->retry_after);
    return len;
}

char *
harness_server_log(const struct harness *h)
{
    char path[400];
    path_in(h, path, sizeof path, "server.log");
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    size_t cap = 65536, n = 0, got;
    char *text = malloc(cap);
    if (!text)
        die("out of memory");
    while ((got = fread(text + n, 1, cap - n - 1, f)) > 0)
        if ((n += got) == cap - 1 && !(text = realloc(text, cap *= 2)))
            die("out of memory");
    text[n] = '\0';
    fclose(f);
    return text;
}

void
harness_server_kill(struct harness *h)
{
    if (h->server_pid > 0) {
        kill(h->server_pid, SIGKILL);
        waitpid(h->server_pid, NULL, 0);
        h->server_pid = 0;
    }
}

bool
harness_server_restart(struct harness *h)
{
    return server_start(h, &h->server_pid, h->base_url, sizeof h->base_url);
}

struct http_resp
harness_request(struct harness *h, const char *method, const char *path, const char *token,
                const char *body, const char *extra_header)
{
    return harness_request_to(h->base_url, method, path, token, body, extra_header);
}

struct http_resp
harness_request_to(const char *base, const char *method, const char *path, const char *token,
                   const char *body, const char *extra_header)
{
    struct http_resp r = {0};
    struct buffer b = {NULL, 0};
    char url[1024], auth[256];
    remember_body(body);
    snprintf(url, sizeof url, "%s%s", base, path);
    CURL *c = curl_easy_init();
    struct curl_slist *hdrs = NULL;
    if (token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        hdrs = curl_slist_append(hdrs, auth);
    }
    if (body)
        hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
    if (extra_header)
        hdrs = curl_slist_append(hdrs, extra_header);
    hdrs = curl_slist_append(hdrs, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (!strncmp(base, "https:", 6) && tls_ca[0])
        curl_easy_setopt(c, CURLOPT_CAINFO, tls_ca);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(c);
    r.body = b.data ? b.data : str_dup("");
    r.json = json_loads(r.body, 0, NULL);
    return r;
}

void
http_resp_clear(struct http_resp *r)
{
    free(r->body);
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}

const char *
http_resp_error_code(const struct http_resp *r)
{
    json_t *code = json_object_get(json_object_get(r->json, "error"), "code");
    return json_is_string(code) ? json_string_value(code) : "";
}
