/*
 * palisade-cni: a chained CNI plugin (CNI spec 1.0.0) that holds a pod's start until the node's
 * Palisade agent says its rules cover the pod's address.
 *
 * Chained last, after the cluster's network plugin, it reads the address that plugin gave the pod
 * (the first IPv4 address of prevResult.ips), tells the agent on its pod-start socket
 * (dataplane's PodStartSocket: "NAMESPACE NAME IP\n", answered "ok AGENT_NANOS\n" or
 * "error MESSAGE\n") and passes prevResult on unchanged only on "ok". Everything else fails the
 * ADD (fail closed): the runtime tears the sandbox down and the kubelet tries again later, whereas
 * a pod started without its rules would talk unjudged until the agent's next sync.
 *
 *   ADD      CNI_ARGS K8S_POD_NAMESPACE, K8S_POD_NAME + prevResult's IPv4 -> agent -> prevResult
 *   DEL      succeeds: nothing to undo (the agent learns deletions from its pod informer)
 *   CHECK    succeeds when prevResult is there
 *   VERSION  the versions below
 *
 * Network configuration keys of its own: "socket" (default /run/palisade/pod-start.sock) and
 * "timeoutSeconds" (default 35, 1..300): how long to wait for the agent's answer.
 *
 * On success it writes one line to stderr, "palisade-cni: ADD NS/NAME IP covered: agent N ns", the
 * agent's own time: a CNI result has no field for it, and the process lab's benchmark reads it.
 *
 * C, no dependencies, linked statically where the build machine can (scripts/build-cni.sh): the
 * runtime runs it on the node, where no JVM is, at every pod start. JSON is read by a small strict
 * scanner instead of a library: it checks the whole input against RFC 8259 (UTF-8 included) and
 * keeps the text of the few members it reads; anything malformed is CNI error 6, never guessed.
 * Tests: dataplane's PalisadeCniTest.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* CNI's error codes (spec, "Error"), and two of our own (100 and up are the plugin's). */
enum {
  ERR_INCOMPATIBLE_VERSION = 1,
  ERR_ENVIRONMENT = 4,
  ERR_IO = 5,
  ERR_DECODING = 6,
  ERR_CONFIG = 7,
  ERR_TRY_AGAIN_LATER = 11, /* no agent, or no answer in time: the agent may be starting */
  ERR_AGENT_REFUSED = 100,  /* the agent answered "error ...", or something it should not have */
  ERR_NO_IPV4 = 101         /* the agent's rules name pods by IPv4 address: nothing to cover */
};

/* Versions whose results carry "ips" with "address" (0.3.0 on); their results pass through as given. */
static const char *const SUPPORTED[] = {"0.3.0", "0.3.1", "0.4.0", "1.0.0"};
#define NSUPPORTED (sizeof SUPPORTED / sizeof SUPPORTED[0])

#define DEFAULT_SOCKET "/run/palisade/pod-start.sock"
#define DEFAULT_TIMEOUT_SECONDS 35 /* past the agent's own 30 s: its answer, naming what failed, comes first */
#define MAX_TIMEOUT_SECONDS 300
#define STDIN_LIMIT (1 << 20)  /* a network configuration is a few KB; more is not one */
#define ANSWER_LIMIT 4096      /* as PodStartClient reads it */
#define DEPTH_LIMIT 64
#define MAX_IPS 64

/* The cniVersion our errors carry: the configuration's once it is read and supported. */
static const char *error_version = "1.0.0";

/* ---- output ---------------------------------------------------------------------------------- */

/* The length of the valid UTF-8 sequence at p (at most n bytes), 0 if there is none (RFC 3629). */
static size_t utf8_sequence(const unsigned char *p, size_t n) {
  if (n == 0) {
    return 0;
  }
  if (p[0] < 0x80) {
    return 1;
  }
  size_t len;
  unsigned min;
  unsigned cp;
  if ((p[0] & 0xe0) == 0xc0) {
    len = 2, min = 0x80, cp = p[0] & 0x1f;
  } else if ((p[0] & 0xf0) == 0xe0) {
    len = 3, min = 0x800, cp = p[0] & 0x0f;
  } else if ((p[0] & 0xf8) == 0xf0) {
    len = 4, min = 0x10000, cp = p[0] & 0x07;
  } else {
    return 0;
  }
  if (n < len) {
    return 0;
  }
  for (size_t k = 1; k < len; k++) {
    if ((p[k] & 0xc0) != 0x80) {
      return 0;
    }
    cp = (cp << 6) | (p[k] & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
    return 0; /* overlong, past Unicode, or a surrogate */
  }
  return len;
}

/* s as a JSON string; bytes that are not UTF-8 (an agent's message could hold any) become '?'. */
static void put_json_string(FILE *out, const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  size_t n = strlen(s);
  fputc('"', out);
  for (size_t i = 0; i < n;) {
    unsigned char c = p[i];
    if (c == '"' || c == '\\') {
      fputc('\\', out);
      fputc(c, out);
      i++;
    } else if (c < 0x20 || c == 0x7f) {
      fprintf(out, "\\u%04x", c);
      i++;
    } else {
      size_t len = utf8_sequence(p + i, n - i);
      if (len == 0) {
        fputc('?', out);
        i++;
      } else {
        fwrite(p + i, 1, len, out);
        i += len;
      }
    }
  }
  fputc('"', out);
}

/* The CNI error result on stdout, exit 1: the runtime fails the operation and shows msg and details. */
__attribute__((noreturn, format(printf, 3, 4)))
static void fail(int code, const char *msg, const char *details_format, ...) {
  char details[2048];
  va_list ap;
  va_start(ap, details_format);
  vsnprintf(details, sizeof details, details_format, ap);
  va_end(ap);
  fputs("{\"cniVersion\":", stdout);
  put_json_string(stdout, error_version);
  printf(",\"code\":%d,\"msg\":", code);
  put_json_string(stdout, msg);
  fputs(",\"details\":", stdout);
  put_json_string(stdout, details);
  fputs("}\n", stdout);
  fflush(stdout);
  fprintf(stderr, "palisade-cni: %s: %s\n", msg, details);
  exit(1);
}

/* ---- JSON ------------------------------------------------------------------------------------ */

/* A value's text as it stands in the input; p == NULL: the member is absent. */
struct span {
  const char *p;
  size_t n;
};

struct scan {
  const char *s;
  size_t n;
  size_t i;
  const char *err; /* the first error, and where */
  size_t at;
};

static int bad(struct scan *j, const char *what) {
  if (j->err == NULL) {
    j->err = what;
    j->at = j->i;
  }
  return -1;
}

static void skip_ws(struct scan *j) {
  while (j->i < j->n && (j->s[j->i] == ' ' || j->s[j->i] == '\t' || j->s[j->i] == '\n' || j->s[j->i] == '\r')) {
    j->i++;
  }
}

static int peek(const struct scan *j) {
  return j->i < j->n ? (unsigned char)j->s[j->i] : -1;
}

static int scan_value(struct scan *j, int depth, struct span *value);

static int hex4(struct scan *j, unsigned *out) {
  if (j->n - j->i < 4) {
    return bad(j, "short \\u escape");
  }
  unsigned v = 0;
  for (int k = 0; k < 4; k++) {
    char c = j->s[j->i++];
    v <<= 4;
    if (c >= '0' && c <= '9') {
      v |= (unsigned)(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      v |= (unsigned)(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      v |= (unsigned)(c - 'A' + 10);
    } else {
      return bad(j, "bad \\u escape");
    }
  }
  *out = v;
  return 0;
}

/* Appends one code point as UTF-8 to out (cap bytes with its NUL); *len counts even what did not fit. */
static void put_utf8(unsigned cp, char *out, size_t cap, size_t *len) {
  unsigned char b[4];
  size_t n;
  if (cp < 0x80) {
    b[0] = (unsigned char)cp, n = 1;
  } else if (cp < 0x800) {
    b[0] = (unsigned char)(0xc0 | (cp >> 6)), b[1] = (unsigned char)(0x80 | (cp & 0x3f)), n = 2;
  } else if (cp < 0x10000) {
    b[0] = (unsigned char)(0xe0 | (cp >> 12)), b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
    b[2] = (unsigned char)(0x80 | (cp & 0x3f)), n = 3;
  } else {
    b[0] = (unsigned char)(0xf0 | (cp >> 18)), b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
    b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f)), b[3] = (unsigned char)(0x80 | (cp & 0x3f)), n = 4;
  }
  for (size_t k = 0; k < n; k++, (*len)++) {
    if (out != NULL && *len + 1 < cap) {
      out[*len] = (char)b[k];
      out[*len + 1] = '\0';
    }
  }
}

/*
 * The string at j (at its opening quote), checked and decoded into out (cap bytes with the NUL;
 * out NULL: checked only). *len: its decoded length, which may pass cap: the caller decides whether
 * that is too long. \u0000 is refused: a C string would end there, and no name we read holds it.
 */
static int scan_string(struct scan *j, char *out, size_t cap, size_t *len) {
  size_t count = 0;
  if (out != NULL && cap > 0) {
    out[0] = '\0';
  }
  j->i++; /* the quote */
  while (1) {
    if (j->i >= j->n) {
      return bad(j, "unterminated string");
    }
    unsigned char c = (unsigned char)j->s[j->i];
    if (c == '"') {
      j->i++;
      break;
    }
    if (c < 0x20) {
      return bad(j, "control character in a string");
    }
    if (c == '\\') {
      j->i++;
      if (j->i >= j->n) {
        return bad(j, "unterminated string");
      }
      char e = j->s[j->i++];
      unsigned cp;
      switch (e) {
        case '"': cp = '"'; break;
        case '\\': cp = '\\'; break;
        case '/': cp = '/'; break;
        case 'b': cp = '\b'; break;
        case 'f': cp = '\f'; break;
        case 'n': cp = '\n'; break;
        case 'r': cp = '\r'; break;
        case 't': cp = '\t'; break;
        case 'u':
          if (hex4(j, &cp) < 0) {
            return -1;
          }
          if (cp >= 0xd800 && cp <= 0xdbff) { /* a high surrogate: its low half must follow */
            unsigned low;
            if (j->n - j->i < 2 || j->s[j->i] != '\\' || j->s[j->i + 1] != 'u') {
              return bad(j, "lone surrogate in a \\u escape");
            }
            j->i += 2;
            if (hex4(j, &low) < 0) {
              return -1;
            }
            if (low < 0xdc00 || low > 0xdfff) {
              return bad(j, "lone surrogate in a \\u escape");
            }
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          } else if (cp >= 0xdc00 && cp <= 0xdfff) {
            return bad(j, "lone surrogate in a \\u escape");
          } else if (cp == 0) {
            return bad(j, "\\u0000 in a string");
          }
          break;
        default:
          j->i--;
          return bad(j, "bad escape in a string");
      }
      put_utf8(cp, out, cap, &count);
      continue;
    }
    size_t seq = utf8_sequence((const unsigned char *)j->s + j->i, j->n - j->i);
    if (seq == 0) {
      return bad(j, "not UTF-8");
    }
    for (size_t k = 0; k < seq; k++, count++) {
      if (out != NULL && count + 1 < cap) {
        out[count] = j->s[j->i + k];
        out[count + 1] = '\0';
      }
    }
    j->i += seq;
  }
  if (len != NULL) {
    *len = count;
  }
  return 0;
}

static int scan_digits(struct scan *j) {
  size_t start = j->i;
  while (j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9') {
    j->i++;
  }
  return j->i > start ? 0 : bad(j, "digit expected in a number");
}

/* -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
static int scan_number(struct scan *j) {
  if (peek(j) == '-') {
    j->i++;
  }
  if (peek(j) == '0') {
    j->i++;
  } else if (scan_digits(j) < 0) {
    return -1;
  }
  if (peek(j) == '.') {
    j->i++;
    if (scan_digits(j) < 0) {
      return -1;
    }
  }
  if (peek(j) == 'e' || peek(j) == 'E') {
    j->i++;
    if (peek(j) == '+' || peek(j) == '-') {
      j->i++;
    }
    if (scan_digits(j) < 0) {
      return -1;
    }
  }
  return 0;
}

static int scan_literal(struct scan *j, const char *word) {
  size_t n = strlen(word);
  if (j->n - j->i < n || memcmp(j->s + j->i, word, n) != 0) {
    return bad(j, "unexpected character");
  }
  j->i += n;
  return 0;
}

/*
 * The object at j, all of it; the values of the members named in want (NULL-terminated; want NULL:
 * none) go to got[k]. A wanted member twice is refused: which of the two counts is anyone's guess.
 */
static int scan_object(struct scan *j, int depth, const char *const *want, struct span *got) {
  if (depth > DEPTH_LIMIT) {
    return bad(j, "nested too deep");
  }
  j->i++; /* { */
  skip_ws(j);
  if (peek(j) == '}') {
    j->i++;
    return 0;
  }
  while (1) {
    skip_ws(j);
    if (peek(j) != '"') {
      return bad(j, "member name expected");
    }
    char key[64];
    size_t key_len;
    if (scan_string(j, key, sizeof key, &key_len) < 0) {
      return -1;
    }
    skip_ws(j);
    if (peek(j) != ':') {
      return bad(j, "':' expected");
    }
    j->i++;
    size_t value_at = j->i;
    struct span value;
    if (scan_value(j, depth, &value) < 0) {
      return -1;
    }
    for (size_t k = 0; want != NULL && want[k] != NULL; k++) {
      if (key_len < sizeof key && strcmp(key, want[k]) == 0) {
        if (got[k].p != NULL) {
          j->i = value_at;
          return bad(j, "a member we read is there twice");
        }
        got[k] = value;
      }
    }
    skip_ws(j);
    if (peek(j) == ',') {
      j->i++;
      continue;
    }
    if (peek(j) == '}') {
      j->i++;
      return 0;
    }
    return bad(j, "',' or '}' expected");
  }
}

/* The array at j, all of it; its first cap elements' values go to items, *count says how many there are. */
static int scan_array(struct scan *j, int depth, struct span *items, size_t cap, size_t *count) {
  if (depth > DEPTH_LIMIT) {
    return bad(j, "nested too deep");
  }
  size_t k = 0;
  j->i++; /* [ */
  skip_ws(j);
  if (peek(j) == ']') {
    j->i++;
  } else {
    while (1) {
      struct span item;
      if (scan_value(j, depth, &item) < 0) {
        return -1;
      }
      if (k < cap) {
        items[k] = item;
      }
      k++;
      skip_ws(j);
      if (peek(j) == ',') {
        j->i++;
        continue;
      }
      if (peek(j) == ']') {
        j->i++;
        break;
      }
      return bad(j, "',' or ']' expected");
    }
  }
  if (count != NULL) {
    *count = k;
  }
  return 0;
}

static int scan_value(struct scan *j, int depth, struct span *value) {
  skip_ws(j);
  size_t start = j->i;
  int c = peek(j);
  int r;
  if (c == '{') {
    r = scan_object(j, depth + 1, NULL, NULL);
  } else if (c == '[') {
    r = scan_array(j, depth + 1, NULL, 0, NULL);
  } else if (c == '"') {
    r = scan_string(j, NULL, 0, NULL);
  } else if (c == 't') {
    r = scan_literal(j, "true");
  } else if (c == 'f') {
    r = scan_literal(j, "false");
  } else if (c == 'n') {
    r = scan_literal(j, "null");
  } else if (c == '-' || (c >= '0' && c <= '9')) {
    r = scan_number(j);
  } else {
    r = bad(j, c < 0 ? "value expected, input ended" : "unexpected character");
  }
  value->p = j->s + start;
  value->n = j->i - start;
  return r;
}

/* Reads the object in text (nothing else around it but whitespace), taking the wanted members. */
static void decode_object(const char *what, struct span text, const char *const *want, struct span *got) {
  struct scan j = {text.p, text.n, 0, NULL, 0};
  skip_ws(&j);
  if (peek(&j) != '{') {
    fail(ERR_DECODING, "decoding failure", "%s: a JSON object expected at byte %zu", what, j.i);
  }
  if (scan_object(&j, 1, want, got) == 0) {
    skip_ws(&j);
    if (j.i != j.n) {
      bad(&j, "more after the object");
    }
  }
  if (j.err != NULL) {
    fail(ERR_DECODING, "decoding failure", "%s: %s at byte %zu", what, j.err, j.at);
  }
}

static const char *const NO_MEMBERS[] = {NULL};

/* A member known to be well-formed JSON, as a string of at most cap - 1 bytes; NULL when absent. */
static const char *string_member(const char *what, struct span v, char *out, size_t cap) {
  if (v.p == NULL) {
    return NULL;
  }
  if (v.p[0] != '"') {
    fail(ERR_CONFIG, "invalid network configuration", "%s: a string expected", what);
  }
  struct scan j = {v.p, v.n, 0, NULL, 0};
  size_t len;
  scan_string(&j, out, cap, &len);
  if (len >= cap) {
    fail(ERR_CONFIG, "invalid network configuration", "%s: longer than %zu bytes", what, cap - 1);
  }
  return out;
}

/* ---- the pod ----------------------------------------------------------------------------------- */

/* DNS-1123: a label ([a-z0-9]([-a-z0-9]*[a-z0-9])?, 63) or, with dots, a subdomain (253), as PodStart reads them. */
static int dns_name(const char *s, size_t max, int dots) {
  size_t n = strlen(s);
  if (n == 0 || n > max) {
    return 0;
  }
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && !(c == '-' || (dots && c == '.'))) {
      return 0;
    }
    if (!alnum && (i == 0 || i == n - 1)) {
      return 0;
    }
  }
  return 1;
}

/*
 * The pod's namespace and name from CNI_ARGS ("K=V;K=V", as kubelet writes them: IgnoreUnknown,
 * K8S_POD_NAMESPACE, K8S_POD_NAME, K8S_POD_INFRA_CONTAINER_ID, K8S_POD_UID). Without them the agent
 * cannot tell whose address it is: refused. They are checked here too, so that no space or newline
 * can reach the agent's one-line protocol.
 */
static void pod_from_args(char *namespace, size_t ns_cap, char *name, size_t name_cap) {
  const char *args = getenv("CNI_ARGS");
  if (args == NULL || *args == '\0') {
    fail(ERR_ENVIRONMENT, "invalid environment", "CNI_ARGS missing: K8S_POD_NAMESPACE and K8S_POD_NAME are needed");
  }
  int have_ns = 0;
  int have_name = 0;
  const char *p = args;
  while (1) {
    const char *end = strchr(p, ';');
    size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
    const char *eq = memchr(p, '=', n);
    if (eq == NULL || eq == p) {
      fail(ERR_ENVIRONMENT, "invalid environment", "CNI_ARGS: '%.*s' is not KEY=VALUE", (int)(n > 80 ? 80 : n), p);
    }
    size_t key_len = (size_t)(eq - p);
    size_t value_len = n - key_len - 1;
    char *out = NULL;
    size_t cap = 0;
    int *seen = NULL;
    if (key_len == 17 && memcmp(p, "K8S_POD_NAMESPACE", 17) == 0) {
      out = namespace, cap = ns_cap, seen = &have_ns;
    } else if (key_len == 12 && memcmp(p, "K8S_POD_NAME", 12) == 0) {
      out = name, cap = name_cap, seen = &have_name;
    }
    if (out != NULL) {
      if (*seen) {
        fail(ERR_ENVIRONMENT, "invalid environment", "CNI_ARGS: %.*s given twice", (int)key_len, p);
      }
      if (value_len >= cap) {
        fail(ERR_ENVIRONMENT, "invalid environment", "CNI_ARGS: %.*s longer than %zu bytes", (int)key_len, p, cap - 1);
      }
      memcpy(out, eq + 1, value_len);
      out[value_len] = '\0';
      *seen = 1;
    }
    if (end == NULL) {
      break;
    }
    p = end + 1;
  }
  if (!have_ns || !have_name) {
    fail(ERR_ENVIRONMENT, "invalid environment", "CNI_ARGS: %s missing (got '%.200s')",
         have_ns ? "K8S_POD_NAME" : "K8S_POD_NAMESPACE", args);
  }
  if (!dns_name(namespace, 63, 0)) {
    fail(ERR_ENVIRONMENT, "invalid environment", "K8S_POD_NAMESPACE: not a DNS-1123 label: '%.80s'", namespace);
  }
  if (!dns_name(name, 253, 1)) {
    fail(ERR_ENVIRONMENT, "invalid environment", "K8S_POD_NAME: not a DNS-1123 subdomain: '%.80s'", name);
  }
}

/* "a.b.c.d/len" in the dotted decimal the agent reads (no leading zeros); the address goes to ip. */
static int ipv4_cidr(const char *s, char *ip, size_t cap) {
  const char *slash = strchr(s, '/');
  if (slash == NULL || (size_t)(slash - s) >= cap) {
    return 0;
  }
  const char *p = s;
  for (int octet = 0; octet < 4; octet++) {
    const char *start = p;
    unsigned v = 0;
    while (*p >= '0' && *p <= '9' && p - start < 3) {
      v = v * 10 + (unsigned)(*p++ - '0');
    }
    if (p == start || v > 255 || (*start == '0' && p - start > 1)) {
      return 0;
    }
    if (*p != (octet < 3 ? '.' : '/')) {
      return 0;
    }
    p++;
  }
  const char *start = p;
  unsigned len = 0;
  while (*p >= '0' && *p <= '9' && p - start < 2) {
    len = len * 10 + (unsigned)(*p++ - '0');
  }
  if (p == start || *p != '\0' || len > 32 || (*start == '0' && p - start > 1)) {
    return 0;
  }
  memcpy(ip, s, (size_t)(slash - s));
  ip[slash - s] = '\0';
  return 1;
}

/*
 * The pod's IPv4 address: the first of prevResult.ips. An address without ':' that is not IPv4
 * is refused rather than skipped: a network plugin that wrote it meant something we cannot read.
 */
static void pod_ipv4(struct span prev_result, char *ip, size_t cap) {
  static const char *const want[] = {"ips", NULL};
  struct span got[1] = {{NULL, 0}};
  decode_object("prevResult", prev_result, want, got);
  if (got[0].p == NULL || got[0].p[0] != '[') {
    fail(ERR_CONFIG, "invalid network configuration", "%s",
         got[0].p == NULL ? "prevResult has no ips: is palisade-cni chained after the network plugin?"
                          : "prevResult.ips: an array expected");
  }
  struct span items[MAX_IPS];
  size_t count;
  struct scan j = {got[0].p, got[0].n, 0, NULL, 0};
  scan_array(&j, 1, items, MAX_IPS, &count);
  if (count > MAX_IPS) {
    fail(ERR_CONFIG, "invalid network configuration", "prevResult.ips: %zu addresses, more than %d", count, MAX_IPS);
  }
  int v6 = 0;
  for (size_t k = 0; k < count; k++) {
    static const char *const address_only[] = {"address", NULL};
    struct span address[1] = {{NULL, 0}};
    char what[64];
    char text[128];
    snprintf(what, sizeof what, "prevResult.ips[%zu]", k);
    if (items[k].p[0] != '{') {
      fail(ERR_CONFIG, "invalid network configuration", "%s: an object expected", what);
    }
    decode_object(what, items[k], address_only, address);
    snprintf(what, sizeof what, "prevResult.ips[%zu].address", k);
    if (string_member(what, address[0], text, sizeof text) == NULL) {
      fail(ERR_CONFIG, "invalid network configuration", "%s missing", what);
    }
    if (strchr(text, ':') != NULL) {
      v6 = 1;
      continue;
    }
    if (!ipv4_cidr(text, ip, cap)) {
      fail(ERR_CONFIG, "invalid network configuration", "%s: not an IPv4 CIDR: '%s'", what, text);
    }
    return;
  }
  /* the agent's rules name pods by IPv4 address: an IPv6-only pod could not be covered */
  fail(ERR_NO_IPV4, "no IPv4 address for the pod", "prevResult.ips holds %s: Palisade's rules cover IPv4 pods only",
       v6 ? "IPv6 addresses only" : "no address");
}

/* ---- the agent --------------------------------------------------------------------------------- */

static long long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/*
 * Sends the agent the line and returns its time from "ok N". Any other end fails the ADD: a refusal
 * (its message in details), no agent listening, or no whole answer by the deadline.
 */
static unsigned long long announce(const char *path, const char *line, int timeout_seconds) {
  long long deadline = now_ms() + (long long)timeout_seconds * 1000;
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof addr.sun_path) {
    fail(ERR_CONFIG, "invalid network configuration", "socket: longer than %zu bytes", sizeof addr.sun_path - 1);
  }
  strcpy(addr.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    fail(ERR_IO, "I/O failure", "socket: %s", strerror(errno));
  }
  /* bounds connect() too: on a Unix socket it waits for room in a full backlog this long */
  struct timeval send_within = {.tv_sec = timeout_seconds};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_within, sizeof send_within);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
    fail(ERR_TRY_AGAIN_LATER, "no Palisade agent answers", "connect %s: %s (is the agent running on this node?)",
         path, strerror(errno));
  }
  char request[512];
  size_t request_len = (size_t)snprintf(request, sizeof request, "%s\n", line);
  for (size_t sent = 0; sent < request_len;) {
    ssize_t n = send(fd, request + sent, request_len - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      fail(ERR_TRY_AGAIN_LATER, "no Palisade agent answers", "send to %s: %s", path, strerror(errno));
    }
    sent += (size_t)n;
  }
  char answer[ANSWER_LIMIT + 1];
  size_t got = 0;
  char *newline = NULL;
  while (newline == NULL) {
    long long left = deadline - now_ms();
    if (left <= 0) {
      fail(ERR_TRY_AGAIN_LATER, "no answer from the Palisade agent in time",
           "%s: no answer for '%s' within %d s", path, line, timeout_seconds);
    }
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    int ready = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
    if (ready < 0 && errno != EINTR) {
      fail(ERR_IO, "I/O failure", "poll %s: %s", path, strerror(errno));
    }
    if (ready <= 0) {
      continue;
    }
    if (got == ANSWER_LIMIT) {
      fail(ERR_AGENT_REFUSED, "the Palisade agent's answer is not understood", "longer than %d bytes", ANSWER_LIMIT);
    }
    ssize_t n = recv(fd, answer + got, ANSWER_LIMIT - got, 0);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      fail(ERR_TRY_AGAIN_LATER, "no answer from the Palisade agent", "read %s: %s", path, strerror(errno));
    }
    if (n == 0) {
      fail(ERR_TRY_AGAIN_LATER, "no answer from the Palisade agent",
           "%s closed the connection before a whole answer (%zu bytes)", path, got);
    }
    got += (size_t)n;
    answer[got] = '\0';
    newline = memchr(answer, '\n', got);
  }
  close(fd);
  *newline = '\0';
  if (strncmp(answer, "ok ", 3) == 0) {
    const char *digits = answer + 3;
    char *end;
    errno = 0;
    unsigned long long nanos = strtoull(digits, &end, 10);
    if (*digits >= '0' && *digits <= '9' && *end == '\0' && errno == 0) {
      return nanos;
    }
  } else if (strncmp(answer, "error ", 6) == 0) {
    fail(ERR_AGENT_REFUSED, "the Palisade agent refused the pod start", "%s", answer + 6);
  }
  fail(ERR_AGENT_REFUSED, "the Palisade agent's answer is not understood", "'%.200s'", answer);
}

/* ---- the commands ------------------------------------------------------------------------------ */

static char *read_stdin(size_t *len) {
  char *buf = malloc(STDIN_LIMIT + 1);
  if (buf == NULL) {
    fail(ERR_IO, "I/O failure", "out of memory");
  }
  size_t n = 0;
  while (1) {
    if (n == STDIN_LIMIT + 1) {
      fail(ERR_DECODING, "decoding failure", "network configuration longer than %d bytes", STDIN_LIMIT);
    }
    ssize_t r = read(0, buf + n, STDIN_LIMIT + 1 - n);
    if (r < 0 && errno == EINTR) {
      continue;
    }
    if (r < 0) {
      fail(ERR_IO, "I/O failure", "reading the network configuration: %s", strerror(errno));
    }
    if (r == 0) {
      break;
    }
    n += (size_t)r;
  }
  *len = n;
  return buf;
}

static const char *require_env(const char *name, const char *command) {
  const char *v = getenv(name);
  if (v == NULL || *v == '\0') {
    fail(ERR_ENVIRONMENT, "invalid environment", "%s missing for %s", name, command);
  }
  return v;
}

static void print_version(void) {
  fputs("{\"cniVersion\":\"1.0.0\",\"supportedVersions\":[", stdout);
  for (size_t k = 0; k < NSUPPORTED; k++) {
    printf("%s\"%s\"", k ? "," : "", SUPPORTED[k]);
  }
  fputs("]}\n", stdout);
}

/* prevResult as given; its cniVersion from the configuration when it has none (a result names its version). */
static void print_result(struct span prev_result, const char *version) {
  static const char *const want[] = {"cniVersion", NULL};
  struct span got[1] = {{NULL, 0}};
  decode_object("prevResult", prev_result, want, got);
  if (got[0].p != NULL) {
    fwrite(prev_result.p, 1, prev_result.n, stdout);
  } else {
    const char *open = memchr(prev_result.p, '{', prev_result.n);
    size_t after = (size_t)(open - prev_result.p) + 1;
    struct scan rest = {prev_result.p, prev_result.n, after, NULL, 0};
    skip_ws(&rest);
    fwrite(prev_result.p, 1, after, stdout);
    fputs("\"cniVersion\":", stdout);
    put_json_string(stdout, version);
    fputs(peek(&rest) == '}' ? "" : ",", stdout);
    fwrite(prev_result.p + after, 1, prev_result.n - after, stdout);
  }
  fputc('\n', stdout);
}

int main(void) {
  const char *command = getenv("CNI_COMMAND");
  if (command == NULL || *command == '\0') {
    fail(ERR_ENVIRONMENT, "invalid environment", "CNI_COMMAND missing");
  }
  int add = strcmp(command, "ADD") == 0;
  int del = strcmp(command, "DEL") == 0;
  int check = strcmp(command, "CHECK") == 0;
  int version = strcmp(command, "VERSION") == 0;
  if (!add && !del && !check && !version) {
    fail(ERR_ENVIRONMENT, "invalid environment", "unknown CNI_COMMAND '%.40s' (ADD, DEL, CHECK, VERSION)", command);
  }

  size_t len;
  char *input = read_stdin(&len);
  struct span config = {input, len};
  if (version) {
    /* the runtime's own version ({"cniVersion": ...}); some callers send nothing */
    struct scan ws = {input, len, 0, NULL, 0};
    skip_ws(&ws);
    if (ws.i < len) {
      decode_object("version request", config, NO_MEMBERS, NULL);
    }
    print_version();
    return fflush(stdout) == 0 ? 0 : 1;
  }

  static const char *const want[] = {"cniVersion", "prevResult", "socket", "timeoutSeconds", NULL};
  enum { CNI_VERSION, PREV_RESULT, SOCKET, TIMEOUT };
  struct span got[4] = {{NULL, 0}};
  decode_object("network configuration", config, want, got);
  char cni_version[16];
  if (string_member("cniVersion", got[CNI_VERSION], cni_version, sizeof cni_version) == NULL) {
    fail(ERR_CONFIG, "invalid network configuration", "cniVersion missing");
  }
  int supported = 0;
  for (size_t k = 0; k < NSUPPORTED; k++) {
    supported |= strcmp(cni_version, SUPPORTED[k]) == 0;
  }
  if (!supported) {
    fail(ERR_INCOMPATIBLE_VERSION, "incompatible CNI version", "cniVersion '%s': this plugin speaks 0.3.0 to 1.0.0",
         cni_version);
  }
  error_version = cni_version;
  char socket_text[256];
  const char *agent_socket = string_member("socket", got[SOCKET], socket_text, sizeof socket_text);
  if (agent_socket == NULL) {
    agent_socket = DEFAULT_SOCKET;
  } else if (agent_socket[0] != '/') {
    fail(ERR_CONFIG, "invalid network configuration", "socket: an absolute path expected, got '%s'", agent_socket);
  }
  int timeout_seconds = DEFAULT_TIMEOUT_SECONDS;
  if (got[TIMEOUT].p != NULL) {
    struct span t = got[TIMEOUT];
    int v = 0;
    size_t k = 0;
    while (k < t.n && k < 4 && t.p[k] >= '0' && t.p[k] <= '9') {
      v = v * 10 + (t.p[k++] - '0');
    }
    if (k == 0 || k != t.n || v < 1 || v > MAX_TIMEOUT_SECONDS) {
      fail(ERR_CONFIG, "invalid network configuration", "timeoutSeconds: a whole number of seconds 1..%d expected, "
           "got %.*s", MAX_TIMEOUT_SECONDS, (int)(t.n > 40 ? 40 : t.n), t.p);
    }
    timeout_seconds = v;
  }
  if (got[PREV_RESULT].p != NULL && got[PREV_RESULT].p[0] != '{') {
    fail(ERR_CONFIG, "invalid network configuration", "prevResult: an object expected");
  }

  if (del) {
    require_env("CNI_CONTAINERID", command);
    require_env("CNI_IFNAME", command);
    return 0; /* nothing to undo: the agent learns a pod's deletion from its informer */
  }
  require_env("CNI_CONTAINERID", command);
  require_env("CNI_NETNS", command);
  require_env("CNI_IFNAME", command);
  if (got[PREV_RESULT].p == NULL) {
    fail(ERR_CONFIG, "invalid network configuration",
         "no prevResult: palisade-cni is chained after the network plugin that gives the pod its address");
  }
  if (check) {
    return 0;
  }

  char namespace[64];
  char name[254];
  char ip[16];
  pod_from_args(namespace, sizeof namespace, name, sizeof name);
  pod_ipv4(got[PREV_RESULT], ip, sizeof ip);
  char line[400];
  snprintf(line, sizeof line, "%s %s %s", namespace, name, ip);
  unsigned long long agent_nanos = announce(agent_socket, line, timeout_seconds);
  print_result(got[PREV_RESULT], cni_version);
  if (fflush(stdout) != 0) {
    return 1; /* the runtime reads no result: the ADD fails, as it should */
  }
  fprintf(stderr, "palisade-cni: ADD %s/%s %s covered: agent %llu ns\n", namespace, name, ip, agent_nanos);
  return 0;
}
