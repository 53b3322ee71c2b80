/* HTTP rules: http-request, http-response, http-after-response, redirect, use_backend. */
#ifndef SLUICE_CORE_HTTP_RULES_H
#define SLUICE_CORE_HTTP_RULES_H

#include "stream-t.h"

struct proxy;

enum http_rule_ret {
    HTTP_RULE_CONT = 0, /* every rule ran (or none matched a final action) */
    HTTP_RULE_STOP,     /* "allow": stop evaluating this rule set */
    HTTP_RULE_DONE,     /* the request was answered (deny, return, redirect): s is answering */
    HTTP_RULE_ERROR,    /* a rewrite failed: the caller answers 500 (request) or 502 */
};

/* Runs px's http-request rules (and its "redirect" lines) on s. */
enum http_rule_ret http_rules_request(struct stream *s, struct proxy *px);
/* Runs px's http-response rules. */
enum http_rule_ret http_rules_response(struct stream *s, struct proxy *px);
/* Runs px's http-after-response rules (also on responses sluice generated). */
enum http_rule_ret http_rules_after(struct stream *s, struct proxy *px);
/* Evaluates the frontend's use_backend rules: the backend to use, or NULL for the default. */
struct proxy *http_rules_backend(struct stream *s, struct proxy *fe);

#endif
