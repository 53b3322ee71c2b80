/* Responses sluice writes itself: HAProxy's default error pages and "errorfile". */
#include "http-err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "h1.h"
#include "proxy.h"
#include "str.h"

/* Statuses errorfile may replace, with HAProxy's default pages (same order as errfile[]). */
static const struct {
    int status;
    const char *reason;
    const char *text;
} errs[PX_ERRFILES] = {
    {200, "OK", "Service ready."},
    {400, "Bad request", "Your browser sent an invalid request."},
    {401, "Unauthorized", "You need a valid user and password to access this content."},
    {403, "Forbidden", "Request forbidden by administrative rules."},
    {404, "Not Found", "The resource could not be found."},
    {405, "Method Not Allowed",
     "A request was made of a resource using a request method not supported by that resource"},
    {407, "Unauthorized", "You need a valid user and password to access this content."},
    {408, "Request Time-out", "Your browser didn't send a complete request in time."},
    {410, "Gone", "The resource is no longer available and will not be available again."},
    {413, "Payload Too Large", "The request entity exceeds the maximum allowed."},
    {425, "Too Early", "Your browser sent early data."},
    {429, "Too Many Requests", "You have sent too many requests in a given amount of time."},
    {500, "Internal Server Error", "An internal server error occurred."},
    {501, "Not Implemented",
     "The server does not support the functionality required to fulfill the request."},
    {502, "Bad Gateway", "The server returned an invalid or incomplete response."},
    {503, "Service Unavailable", "No server is available to handle this request."},
    {504, "Gateway Time-out", "The server didn't respond in time."},
};

static char *defaults_text[PX_ERRFILES];
static unsigned defaults_len[PX_ERRFILES];

static int err_index(int status)
{
    for (int i = 0; i < PX_ERRFILES; i++)
        if (errs[i].status == status)
            return i;
    return -1;
}

const char *http_reason(int status)
{
    /* HAProxy's http_get_reason() phrases, used for statuses sluice writes itself */
    static const struct {
        int status;
        const char *reason;
    } r[] = {
        {100, "Continue"}, {101, "Switching Protocols"}, {102, "Processing"},
        {103, "Early Hints"}, {200, "OK"}, {201, "Created"}, {202, "Accepted"},
        {203, "Non-Authoritative Information"}, {204, "No Content"}, {205, "Reset Content"},
        {206, "Partial Content"}, {207, "Multi-Status"}, {210, "Content Different"},
        {226, "IM Used"}, {300, "Multiple Choices"}, {301, "Moved Permanently"},
        {302, "Found"}, {303, "See Other"}, {304, "Not Modified"}, {305, "Use Proxy"},
        {307, "Temporary Redirect"}, {308, "Permanent Redirect"}, {310, "Too many Redirects"},
        {400, "Bad Request"}, {401, "Unauthorized"}, {402, "Payment Required"},
        {403, "Forbidden"}, {404, "Not Found"}, {405, "Method Not Allowed"},
        {406, "Not Acceptable"}, {407, "Proxy Authentication Required"},
        {408, "Request Time-out"}, {409, "Conflict"}, {410, "Gone"},
        {411, "Length Required"}, {412, "Precondition Failed"},
        {413, "Request Entity Too Large"}, {414, "Request-URI Too Long"},
        {415, "Unsupported Media Type"}, {416, "Requested range unsatisfiable"},
        {417, "Expectation failed"}, {418, "I'm a teapot"}, {421, "Misdirected Request"},
        {422, "Unprocessable entity"}, {423, "Locked"}, {424, "Method failure"},
        {425, "Too Early"}, {426, "Upgrade Required"}, {428, "Precondition Required"},
        {429, "Too Many Requests"}, {431, "Request Header Fields Too Large"},
        {449, "Retry With"}, {450, "Blocked by Windows Parental Controls"},
        {451, "Unavailable For Legal Reasons"}, {456, "Unrecoverable Error"},
        {499, "client has closed connection"}, {500, "Internal Server Error"},
        {501, "Not Implemented"}, {502, "Bad Gateway or Proxy Error"},
        {503, "Service Unavailable"}, {504, "Gateway Time-out"},
        {505, "HTTP Version not supported"}, {506, "Variant also negotiate"},
        {507, "Insufficient storage"}, {508, "Loop detected"},
        {509, "Bandwidth Limit Exceeded"}, {510, "Not extended"},
        {511, "Network authentication required"},
        {520, "Web server is returning an unknown error"},
    };

    for (size_t k = 0; k < sizeof(r) / sizeof(r[0]); k++)
        if (r[k].status == status)
            return r[k].reason;
    return status < 100 ? "Other" : status < 200 ? "Informational" : status < 300 ? "Success"
           : status < 400 ? "Redirection" : status < 500 ? "Client Error"
           : status < 600 ? "Server Error" : "Other";
}

/* HAProxy's default page for entry i, built once. */
static const char *default_msg(int i, uint32_t *len)
{
    if (!defaults_text[i]) {
        char body[512];
        int bl = snprintf(body, sizeof(body),
                          "<html><body><h1>%d %s</h1>\n%s\n</body></html>\n", errs[i].status,
                          errs[i].reason, errs[i].text);

        if (asprintf(&defaults_text[i],
                     "HTTP/1.1 %d %s\r\ncontent-length: %d\r\ncache-control: no-cache\r\n"
                     "content-type: text/html\r\n\r\n%s",
                     errs[i].status, errs[i].reason, bl, body) < 0)
            return "HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\n\r\n";
        defaults_len[i] = (unsigned)strlen(defaults_text[i]);
    }
    *len = defaults_len[i];
    return defaults_text[i];
}

const char *http_err_msg(const struct proxy *px, const struct proxy *fe, int status,
                         uint32_t *len)
{
    int i = err_index(status);

    if (i < 0)
        i = err_index(500);
    /* the backend's page, else the frontend's, else HAProxy's default */
    if (px && px->conf.http.errfile[i]) {
        *len = px->conf.http.errfile_len[i];
        return px->conf.http.errfile[i];
    }
    if (fe && fe->conf.http.errfile[i]) {
        *len = fe->conf.http.errfile_len[i];
        return fe->conf.http.errfile[i];
    }
    return default_msg(i, len);
}

int http_err_has_page(int status)
{
    return err_index(status) >= 0;
}

/* errorfile <code> <file>: the file holds a whole HTTP response, sent as is (HAProxy's
 * format). It is read and checked now: a missing file or an invalid response is an error. */
static int kw_errorfile(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw,
                        char **err)
{
    struct proxy *px = ctx->obj;
    struct h1_hdr hdrs[101];
    struct h1_msg m = {.hdrs = hdrs, .max_hdrs = 101};
    char *data;
    long code, size;
    char *end;
    FILE *f;
    int i, r;

    code = strtol(args[1], &end, 10);
    i = *end ? -1 : err_index((int)code);
    if (i < 0) {
        struct strbuf sb = {0};

        for (int k = 0; k < PX_ERRFILES; k++)
            strbuf_printf(&sb, "%s%d", k ? ", " : "", errs[k].status);
        str_printf(err, "status '%s' cannot be replaced (supported: %s)", args[1], sb.buf);
        strbuf_free(&sb);
        return -1;
    }
    f = fopen(args[2], "r");
    if (!f)
        return str_printf(err, "cannot open '%s': %s", args[2], strerror(errno));
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (size <= 0 || size > 65536) {
        fclose(f);
        return str_printf(err, "'%s' is %s (an HTTP response up to 64 kB is expected)", args[2],
                          size <= 0 ? "empty" : "too large");
    }
    data = str_zalloc((size_t)size + 1);
    if (fread(data, 1, (size_t)size, f) != (size_t)size) {
        fclose(f);
        free(data);
        return str_printf(err, "cannot read '%s': %s", args[2], strerror(errno));
    }
    fclose(f);
    r = h1_parse_response(data, (uint32_t)size, &m);
    if (r <= 0) {
        free(data);
        return str_printf(err, "'%s' is not a valid HTTP response: %s", args[2],
                          r == 0 ? "incomplete head (missing blank line?)" : m.err_msg);
    }
    px->conf.http.errfile[i] = data;
    px->conf.http.errfile_len[i] = (unsigned)size;
    return 0;
}

static struct cfg_kw http_err_kws[] = {
    {.name = "errorfile", .sections = "defaults frontend backend listen", .min_args = 2,
     .max_args = 2, .parse = kw_errorfile, .usage = "errorfile <code> <file>"},
    {0},
};

static void http_err_register(void)
{
    cfg_register_keywords(http_err_kws);
}
INITCALL(http_err_register)
