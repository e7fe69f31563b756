/*
 * @pktfabric/shm native part: named POSIX shared memory mapped MAP_SHARED,
 * non-private futex wait/wake on words of it (so they work between
 * processes), an async futex wait on a thread of its own, and process
 * liveness. Linux only (futex, pidfd_open).
 *
 * Plain C against the ABI-stable Node-API (version 8), so one binary serves
 * every Node version from 20 on. The JS wrapper (src/index.ts) validates
 * arguments first; every function here checks again what memory safety
 * depends on (bounds, alignment, name shape).
 */
#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <node_api.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define NAME_MAX_LEN 255
#define MAX_BYTES ((size_t)INT32_MAX)

/* ---------------------------------------------------------------- errors */

static const char *errno_code(int e) {
  switch (e) {
  case EEXIST: return "EEXIST";
  case ENOENT: return "ENOENT";
  case EACCES: return "EACCES";
  case EPERM: return "EPERM";
  case EINVAL: return "EINVAL";
  case ENOMEM: return "ENOMEM";
  case EMFILE: return "EMFILE";
  case ENFILE: return "ENFILE";
  case ENAMETOOLONG: return "ENAMETOOLONG";
  case ENOSPC: return "ENOSPC";
  case EFBIG: return "EFBIG";
  case EAGAIN: return "EAGAIN";
  case ENOSYS: return "ENOSYS";
  case ESRCH: return "ESRCH";
  case EFAULT: return "EFAULT";
  case EINTR: return "EINTR";
  case ETIMEDOUT: return "ETIMEDOUT";
  default: return "EUNKNOWN";
  }
}

/* Throws an Error with .code = code and the given message; returns NULL. */
static napi_value throw_code(napi_env env, const char *code, const char *msg) {
  napi_value c, m, err;
  if (napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &c) != napi_ok ||
      napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &m) != napi_ok ||
      napi_create_error(env, c, m, &err) != napi_ok) {
    napi_throw_error(env, code, msg);
    return NULL;
  }
  napi_throw(env, err);
  return NULL;
}

/* Throws for errno e after syscall `call` on `what`: "shm_open(/x): File exists". */
static napi_value throw_errno(napi_env env, int e, const char *call, const char *what) {
  char msg[512];
  snprintf(msg, sizeof msg, "%s(%s): %s", call, what ? what : "", strerror(e));
  return throw_code(env, errno_code(e), msg);
}

static napi_value throw_arg(napi_env env, const char *msg) {
  return throw_code(env, "EINVAL", msg);
}

#define NAPI_OK_OR_NULL(call)                                                  \
  do {                                                                         \
    if ((call) != napi_ok) {                                                   \
      bool pending_ = false;                                                   \
      napi_is_exception_pending(env, &pending_);                               \
      if (!pending_) throw_code(env, "EINTERNAL", "Node-API call failed: " #call); \
      return NULL;                                                             \
    }                                                                          \
  } while (0)

/* ------------------------------------------------------------- arguments */

static bool get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return false;
  for (size_t i = argc; i < want; i++) napi_get_undefined(env, &argv[i]);
  return true;
}

/* A shm name: "/" then 1..NAME_MAX_LEN-1 of [A-Za-z0-9._-], not "." or "..". */
static bool get_name(napi_env env, napi_value v, char *out, size_t cap) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, out, cap, &len) != napi_ok) {
    throw_arg(env, "name must be a string");
    return false;
  }
  if (len < 2 || len >= cap - 1 || out[0] != '/') {
    throw_arg(env, "name must be '/' followed by 1 to 254 characters");
    return false;
  }
  for (size_t i = 1; i < len; i++) {
    char ch = out[i];
    bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '_' || ch == '-';
    if (!ok) {
      throw_arg(env, "name may hold only A-Z a-z 0-9 . _ - after its leading '/'");
      return false;
    }
  }
  if (strcmp(out, "/.") == 0 || strcmp(out, "/..") == 0) {
    throw_arg(env, "name must not be '.' or '..'");
    return false;
  }
  return true;
}

/*
 * The address of a 32-bit word: `target` is a TypedArray, DataView or
 * ArrayBuffer, `byteOffset` counts from the start of its view. Checked:
 * inside the view, 4-byte aligned.
 */
static bool get_word(napi_env env, napi_value target, napi_value off_v, int32_t **out) {
  bool is = false;
  uint8_t *data = NULL;
  size_t len = 0;
  if (napi_is_typedarray(env, target, &is) == napi_ok && is) {
    napi_typedarray_type type;
    size_t count = 0, elem = 1;
    void *p = NULL;
    if (napi_get_typedarray_info(env, target, &type, &count, &p, NULL, NULL) != napi_ok) {
      throw_arg(env, "cannot read the typed array");
      return false;
    }
    switch (type) {
    case napi_int16_array: case napi_uint16_array: elem = 2; break;
    case napi_int32_array: case napi_uint32_array: case napi_float32_array: elem = 4; break;
    case napi_float64_array: case napi_bigint64_array: case napi_biguint64_array: elem = 8; break;
    default: elem = 1;
    }
    data = p;
    len = count * elem;
  } else if (napi_is_dataview(env, target, &is) == napi_ok && is) {
    void *p = NULL;
    if (napi_get_dataview_info(env, target, &len, &p, NULL, NULL) != napi_ok) {
      throw_arg(env, "cannot read the DataView");
      return false;
    }
    data = p;
  } else if (napi_is_arraybuffer(env, target, &is) == napi_ok && is) {
    void *p = NULL;
    if (napi_get_arraybuffer_info(env, target, &p, &len) != napi_ok) {
      throw_arg(env, "cannot read the ArrayBuffer");
      return false;
    }
    data = p;
  } else {
    throw_arg(env, "buffer must be a TypedArray, DataView or ArrayBuffer");
    return false;
  }
  int64_t off = 0;
  if (napi_get_value_int64(env, off_v, &off) != napi_ok) {
    throw_arg(env, "byteOffset must be a number");
    return false;
  }
  if (data == NULL || off < 0 || (uint64_t)off + 4 > len) {
    throw_code(env, "ERANGE", "byteOffset + 4 is outside the buffer");
    return false;
  }
  uintptr_t addr = (uintptr_t)data + (uintptr_t)off;
  if (addr % 4 != 0) {
    throw_arg(env, "the word's address is not 4-byte aligned");
    return false;
  }
  *out = (int32_t *)addr;
  return true;
}

/* ------------------------------------------------------------- mappings */

typedef struct {
  void *addr;
  size_t len;
} mapping;

typedef napi_status (*create_external_sab_fn)(napi_env env, void *external_data,
                                              size_t byte_length,
                                              void (*finalize_cb)(void *data, void *hint),
                                              void *finalize_hint, napi_value *result);

static create_external_sab_fn external_sab(void) {
  static int looked = 0;
  static create_external_sab_fn fn = NULL;
  if (!looked) {
    fn = (create_external_sab_fn)dlsym(RTLD_DEFAULT, "node_api_create_external_sharedarraybuffer");
    looked = 1;
  }
  return fn;
}

static void unmap_noenv(void *data, void *hint) {
  mapping *m = hint;
  (void)data;
  munmap(m->addr, m->len);
  free(m);
}

static void unmap_env(napi_env env, void *data, void *hint) {
  (void)env;
  unmap_noenv(data, hint);
}

/*
 * Wraps a fresh mapping as { buffer, kind, byteLength }; on failure unmaps
 * it. allow_sab false forces the external ArrayBuffer path.
 */
static napi_value wrap_mapping(napi_env env, void *addr, size_t len, bool allow_sab) {
  mapping *m = malloc(sizeof *m);
  if (m == NULL) {
    munmap(addr, len);
    return throw_errno(env, ENOMEM, "malloc", "mapping");
  }
  m->addr = addr;
  m->len = len;
  napi_value buf, obj, kind, bl;
  const char *kind_s;
  create_external_sab_fn sab = allow_sab ? external_sab() : NULL;
  napi_status st;
  if (sab != NULL) {
    st = sab(env, addr, len, unmap_noenv, m, &buf);
    kind_s = "sab";
  } else {
    st = napi_create_external_arraybuffer(env, addr, len, unmap_env, m, &buf);
    kind_s = "external-arraybuffer";
  }
  if (st != napi_ok) {
    munmap(addr, len);
    free(m);
    return throw_code(env, "EINTERNAL", "could not wrap the mapping as a JS buffer");
  }
  NAPI_OK_OR_NULL(napi_create_object(env, &obj));
  NAPI_OK_OR_NULL(napi_create_string_utf8(env, kind_s, NAPI_AUTO_LENGTH, &kind));
  NAPI_OK_OR_NULL(napi_create_double(env, (double)len, &bl));
  NAPI_OK_OR_NULL(napi_set_named_property(env, obj, "buffer", buf));
  NAPI_OK_OR_NULL(napi_set_named_property(env, obj, "kind", kind));
  NAPI_OK_OR_NULL(napi_set_named_property(env, obj, "byteLength", bl));
  return obj;
}

static bool get_bool(napi_env env, napi_value v, bool dflt) {
  napi_valuetype t;
  bool b = dflt;
  if (napi_typeof(env, v, &t) == napi_ok && t == napi_boolean) napi_get_value_bool(env, v, &b);
  return b;
}

/* create(name, bytes, allowSab = true) */
static napi_value js_create(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  char name[NAME_MAX_LEN + 2];
  if (!get_args(env, info, 3, argv) || !get_name(env, argv[0], name, sizeof name)) return NULL;
  double bytes_d = 0;
  if (napi_get_value_double(env, argv[1], &bytes_d) != napi_ok || !(bytes_d >= 1) ||
      bytes_d > (double)MAX_BYTES || bytes_d != floor(bytes_d))
    return throw_arg(env, "bytes must be an integer from 1 to 2^31-1");
  size_t bytes = (size_t)bytes_d;
  bool allow_sab = get_bool(env, argv[2], true);

  int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, S_IRUSR | S_IWUSR);
  if (fd < 0) return throw_errno(env, errno, "shm_open", name);
  /* The umask can only take bits away; set 0600 exactly all the same. */
  if (fchmod(fd, S_IRUSR | S_IWUSR) != 0 || ftruncate(fd, (off_t)bytes) != 0) {
    int e = errno;
    close(fd);
    shm_unlink(name);
    return throw_errno(env, e, "ftruncate", name);
  }
  void *addr = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  int e = errno;
  close(fd);
  if (addr == MAP_FAILED) {
    shm_unlink(name);
    return throw_errno(env, e, "mmap", name);
  }
  return wrap_mapping(env, addr, bytes, allow_sab);
}

/* open(name, allowSab = true) */
static napi_value js_open(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  char name[NAME_MAX_LEN + 2];
  if (!get_args(env, info, 2, argv) || !get_name(env, argv[0], name, sizeof name)) return NULL;
  bool allow_sab = get_bool(env, argv[1], true);

  int fd = shm_open(name, O_RDWR | O_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, errno, "shm_open", name);
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int e = errno;
    close(fd);
    return throw_errno(env, e, "fstat", name);
  }
  char msg[512];
  if (st.st_uid != geteuid()) {
    close(fd);
    snprintf(msg, sizeof msg, "%s is owned by uid %u, not by this process's uid %u", name,
             (unsigned)st.st_uid, (unsigned)geteuid());
    return throw_code(env, "ESHM_OWNER", msg);
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    snprintf(msg, sizeof msg, "%s has mode %03o: group and other must have no access (0600)",
             name, (unsigned)(st.st_mode & 0777));
    return throw_code(env, "ESHM_MODE", msg);
  }
  if (st.st_size <= 0 || (uint64_t)st.st_size > MAX_BYTES) {
    close(fd);
    snprintf(msg, sizeof msg, "%s has size %lld: must be 1 to 2^31-1 bytes", name,
             (long long)st.st_size);
    return throw_code(env, "ESHM_SIZE", msg);
  }
  size_t bytes = (size_t)st.st_size;
  void *addr = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  int e = errno;
  close(fd);
  if (addr == MAP_FAILED) return throw_errno(env, e, "mmap", name);
  return wrap_mapping(env, addr, bytes, allow_sab);
}

/* unlink(name) */
static napi_value js_unlink(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  char name[NAME_MAX_LEN + 2];
  if (!get_args(env, info, 1, argv) || !get_name(env, argv[0], name, sizeof name)) return NULL;
  if (shm_unlink(name) != 0) return throw_errno(env, errno, "shm_unlink", name);
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

/* ---------------------------------------------------------------- futex */

enum { WR_OK = 0, WR_NOT_EQUAL = 1, WR_TIMED_OUT = 2, WR_ERROR = 3 };
static const char *const wait_names[] = {"ok", "not-equal", "timed-out", "error"};

static long futex(int32_t *addr, int op, int32_t val, const struct timespec *ts) {
  return syscall(SYS_futex, addr, op, val, ts, NULL, 0);
}

static void ts_add_ms(struct timespec *t, double ms) {
  double s = floor(ms / 1000.0);
  t->tv_sec += (time_t)s;
  t->tv_nsec += (long)((ms - s * 1000.0) * 1e6);
  if (t->tv_nsec >= 1000000000L) {
    t->tv_sec++;
    t->tv_nsec -= 1000000000L;
  }
}

/*
 * Sleeps while *addr == expected, up to timeout_ms (Infinity or > ~30 years:
 * no limit). Non-private FUTEX_WAIT: the kernel keys the wait by the shared
 * page, so a FUTEX_WAKE from another process mapping it wakes us. *err gets
 * errno for WR_ERROR.
 */
static int do_wait(int32_t *addr, int32_t expected, double timeout_ms, int *err) {
  bool forever = isinf(timeout_ms) || timeout_ms > 1e12;
  struct timespec deadline = {0, 0};
  if (!forever) {
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    ts_add_ms(&deadline, timeout_ms < 0 ? 0 : timeout_ms);
  }
  bool interrupted = false;
  for (;;) {
    struct timespec rel, *relp = NULL;
    if (!forever) {
      struct timespec now;
      clock_gettime(CLOCK_MONOTONIC, &now);
      rel.tv_sec = deadline.tv_sec - now.tv_sec;
      rel.tv_nsec = deadline.tv_nsec - now.tv_nsec;
      if (rel.tv_nsec < 0) {
        rel.tv_sec--;
        rel.tv_nsec += 1000000000L;
      }
      if (rel.tv_sec < 0) rel.tv_sec = rel.tv_nsec = 0;
      relp = &rel;
    }
    if (futex(addr, FUTEX_WAIT, expected, relp) == 0) return WR_OK;
    switch (errno) {
    case EAGAIN:
      /* After a signal the word may have changed because of a wake we slept through. */
      return interrupted ? WR_OK : WR_NOT_EQUAL;
    case ETIMEDOUT: return WR_TIMED_OUT;
    case EINTR: interrupted = true; continue;
    default: *err = errno; return WR_ERROR;
    }
  }
}

static bool get_timeout(napi_env env, napi_value v, double *out) {
  if (napi_get_value_double(env, v, out) != napi_ok || isnan(*out) || *out < 0) {
    throw_arg(env, "timeoutMs must be a number >= 0 or Infinity");
    return false;
  }
  return true;
}

static napi_value wait_result(napi_env env, int r, int err) {
  if (r == WR_ERROR) return throw_errno(env, err, "futex", "FUTEX_WAIT");
  napi_value s;
  NAPI_OK_OR_NULL(napi_create_string_utf8(env, wait_names[r], NAPI_AUTO_LENGTH, &s));
  return s;
}

/*
 * The arguments of futexWait and futexWaitAsync (buffer, byteOffset,
 * expected, timeoutMs): the word's address, the expected value and the
 * timeout. Throws and returns false on a bad one.
 */
static bool get_wait_args(napi_env env, napi_callback_info info, napi_value argv[4],
                          int32_t **addr, int32_t *expected, double *timeout) {
  if (!get_args(env, info, 4, argv) || !get_word(env, argv[0], argv[1], addr)) return false;
  if (napi_get_value_int32(env, argv[2], expected) != napi_ok) {
    throw_arg(env, "expected must be a number");
    return false;
  }
  return get_timeout(env, argv[3], timeout);
}

/* futexWait(buffer, byteOffset, expected, timeoutMs): blocks this thread. */
static napi_value js_futex_wait(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int32_t *addr, expected;
  double timeout;
  if (!get_wait_args(env, info, argv, &addr, &expected, &timeout)) return NULL;
  int err = 0;
  int r = do_wait(addr, expected, timeout, &err);
  return wait_result(env, r, err);
}

/* futexWake(buffer, byteOffset, count) -> how many woke */
static napi_value js_futex_wake(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int32_t *addr;
  double count_d;
  if (!get_args(env, info, 3, argv) || !get_word(env, argv[0], argv[1], &addr)) return NULL;
  if (napi_get_value_double(env, argv[2], &count_d) != napi_ok || isnan(count_d) || count_d < 0)
    return throw_arg(env, "count must be a number >= 0 or Infinity");
  int count = count_d >= (double)INT_MAX ? INT_MAX : (int)count_d;
  long n = futex(addr, FUTEX_WAKE, count, NULL);
  if (n < 0) return throw_errno(env, errno, "futex", "FUTEX_WAKE");
  napi_value v;
  NAPI_OK_OR_NULL(napi_create_int32(env, (int32_t)n, &v));
  return v;
}

/*
 * futexWaitAsync: one detached thread per wait sleeps in the kernel; it hands
 * the outcome to the JS thread through a thread-safe function, which settles
 * the promise. A strong reference to the buffer argument keeps the mapping
 * (and so the word) alive until then; the thread-safe function keeps the
 * event loop alive while the wait is pending.
 */
typedef struct {
  int32_t *addr;
  int32_t expected;
  double timeout;
  int result;
  int err;
  napi_deferred deferred;
  napi_ref keep;
  napi_threadsafe_function tsfn;
  /*
   * Shared by the waiter thread and the JS side. When a worker's environment
   * is torn down, Node finalizes and deletes its thread-safe functions even if
   * a thread still holds one; tsfn_alive (under lock) tells the thread not to
   * touch it then. The job is freed by whichever of the two lets go last.
   */
  pthread_mutex_t lock;
  bool tsfn_alive;
  int refs;
} wait_job;

static void job_unref(wait_job *job) {
  pthread_mutex_lock(&job->lock);
  int left = --job->refs;
  pthread_mutex_unlock(&job->lock);
  if (left == 0) {
    pthread_mutex_destroy(&job->lock);
    free(job);
  }
}

static void job_settle(napi_env env, napi_value js_cb, void *context, void *data) {
  wait_job *job = data;
  (void)js_cb;
  (void)context;
  if (env == NULL) return; /* the environment is going away */
  napi_value v;
  if (job->result == WR_ERROR) {
    napi_value c, m;
    char msg[256];
    snprintf(msg, sizeof msg, "futex(FUTEX_WAIT): %s", strerror(job->err));
    napi_create_string_utf8(env, errno_code(job->err), NAPI_AUTO_LENGTH, &c);
    napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &m);
    napi_create_error(env, c, m, &v);
    napi_reject_deferred(env, job->deferred, v);
  } else {
    napi_create_string_utf8(env, wait_names[job->result], NAPI_AUTO_LENGTH, &v);
    napi_resolve_deferred(env, job->deferred, v);
  }
  napi_delete_reference(env, job->keep);
  job->keep = NULL;
}

/* The thread-safe function's finalizer: it is being deleted (settled, or the environment is going). */
static void job_tsfn_gone(napi_env env, void *data, void *hint) {
  wait_job *job = data;
  (void)env;
  (void)hint;
  pthread_mutex_lock(&job->lock);
  job->tsfn_alive = false;
  pthread_mutex_unlock(&job->lock);
  job_unref(job);
}

static void *job_thread(void *arg) {
  wait_job *job = arg;
  job->result = do_wait(job->addr, job->expected, job->timeout, &job->err);
  /* Holding the lock keeps the finalizer (so the deletion) from running meanwhile; neither call blocks. */
  pthread_mutex_lock(&job->lock);
  if (job->tsfn_alive) {
    napi_call_threadsafe_function(job->tsfn, job, napi_tsfn_nonblocking);
    napi_release_threadsafe_function(job->tsfn, napi_tsfn_release);
  }
  pthread_mutex_unlock(&job->lock);
  job_unref(job);
  return NULL;
}

/* futexWaitAsync(buffer, byteOffset, expected, timeoutMs) -> Promise */
static napi_value js_futex_wait_async(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int32_t *addr, expected;
  double timeout;
  if (!get_wait_args(env, info, argv, &addr, &expected, &timeout)) return NULL;

  wait_job *job = calloc(1, sizeof *job);
  if (job == NULL) return throw_errno(env, ENOMEM, "calloc", "futexWaitAsync");
  job->addr = addr;
  job->expected = expected;
  job->timeout = timeout;
  pthread_mutex_init(&job->lock, NULL);
  job->tsfn_alive = true;
  job->refs = 2; /* the waiter thread and the thread-safe function's finalizer */
  napi_value promise, name;
  if (napi_create_promise(env, &job->deferred, &promise) != napi_ok ||
      napi_create_reference(env, argv[0], 1, &job->keep) != napi_ok ||
      napi_create_string_utf8(env, "pktfabric.futexWaitAsync", NAPI_AUTO_LENGTH, &name) !=
          napi_ok ||
      napi_create_threadsafe_function(env, NULL, NULL, name, 0, 1, job, job_tsfn_gone, NULL,
                                      job_settle, &job->tsfn) != napi_ok) {
    if (job->keep) napi_delete_reference(env, job->keep);
    pthread_mutex_destroy(&job->lock);
    free(job);
    return throw_code(env, "EINTERNAL", "futexWaitAsync: could not set up the wait");
  }
  pthread_attr_t attr;
  pthread_t t;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, 64 * 1024);
  int e = pthread_create(&t, &attr, job_thread, job);
  pthread_attr_destroy(&attr);
  if (e != 0) {
    napi_value c, m, err;
    napi_create_string_utf8(env, errno_code(e), NAPI_AUTO_LENGTH, &c);
    napi_create_string_utf8(env, "futexWaitAsync: pthread_create failed", NAPI_AUTO_LENGTH, &m);
    napi_create_error(env, c, m, &err);
    napi_reject_deferred(env, job->deferred, err);
    napi_delete_reference(env, job->keep);
    job->keep = NULL;
    job_unref(job); /* no thread; job_tsfn_gone lets go of the rest */
    napi_release_threadsafe_function(job->tsfn, napi_tsfn_abort);
  }
  return promise;
}

/* ---------------------------------------------------------- processAlive */

/*
 * Whether pid is a zombie: it has exited and only its parent's wait is
 * pending (state Z, or X while it is being reaped, in /proc/PID/stat).
 * pidfd_open and kill(pid, 0) both succeed on a zombie, and its parent may
 * not reap it for a long time: a Node parent reaps only when its event loop
 * turns, so a parent blocked in poll() on the dead child's peer end would
 * wait for itself. False when /proc cannot tell (not mounted, gone meanwhile:
 * the next call asks kill again).
 *
 * The state is the thread-group leader's: a process whose main thread exited
 * while other threads run shows Z too. Node never does that (its main thread
 * ends the process).
 */
static bool exited_unreaped(pid_t pid) {
  char path[48], buf[256];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  ssize_t n;
  do n = read(fd, buf, sizeof buf - 1);
  while (n < 0 && errno == EINTR);
  close(fd);
  if (n <= 0) return false;
  buf[n] = '\0';
  /* "pid (comm) S ...": comm may hold spaces and ')', so the state follows the last ')'. */
  char *paren = strrchr(buf, ')');
  if (paren == NULL || paren[1] != ' ') return false;
  return paren[2] == 'Z' || paren[2] == 'X';
}

/*
 * processAlive(pid) -> boolean: pidfd_open where the kernel has it, else
 * kill(pid, 0); a zombie (exited, not reaped yet) is dead.
 */
static napi_value js_process_alive(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  double pid_d;
  if (!get_args(env, info, 1, argv)) return NULL;
  if (napi_get_value_double(env, argv[0], &pid_d) != napi_ok || !(pid_d >= 1) ||
      pid_d > (double)INT32_MAX || pid_d != floor(pid_d))
    return throw_arg(env, "pid must be an integer from 1 to 2^31-1");
  pid_t pid = (pid_t)pid_d;
  bool alive;
  int e = 0;
#ifdef SYS_pidfd_open
  long fd = syscall(SYS_pidfd_open, pid, 0);
  if (fd >= 0) {
    close((int)fd);
    alive = true;
    goto done;
  }
  e = errno;
  if (e == ESRCH) {
    alive = false;
    goto done;
  }
  /* ENOSYS (old kernel), seccomp's EPERM and the like: ask kill instead. */
#endif
  if (kill(pid, 0) == 0) {
    alive = true;
  } else {
    e = errno;
    if (e == ESRCH) alive = false;
    else if (e == EPERM) alive = true; /* exists, owned by someone else */
    else return throw_errno(env, e, "kill", "processAlive");
  }
#ifdef SYS_pidfd_open
done:
#endif
  if (alive && exited_unreaped(pid)) alive = false;
  {
    napi_value v;
    NAPI_OK_OR_NULL(napi_get_boolean(env, alive, &v));
    return v;
  }
}

/* ---------------------------------------------------------------- module */

static napi_value Init(napi_env env, napi_value exports) {
  napi_value sab_kind, sys_futex;
  napi_create_string_utf8(env, external_sab() ? "sab" : "external-arraybuffer", NAPI_AUTO_LENGTH,
                          &sab_kind);
  napi_create_int32(env, (int32_t)SYS_futex, &sys_futex);
  napi_property_descriptor props[] = {
      {"create", NULL, js_create, NULL, NULL, NULL, napi_enumerable, NULL},
      {"open", NULL, js_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"unlink", NULL, js_unlink, NULL, NULL, NULL, napi_enumerable, NULL},
      {"futexWait", NULL, js_futex_wait, NULL, NULL, NULL, napi_enumerable, NULL},
      {"futexWake", NULL, js_futex_wake, NULL, NULL, NULL, napi_enumerable, NULL},
      {"futexWaitAsync", NULL, js_futex_wait_async, NULL, NULL, NULL, napi_enumerable, NULL},
      {"processAlive", NULL, js_process_alive, NULL, NULL, NULL, napi_enumerable, NULL},
      {"memoryKind", NULL, NULL, NULL, NULL, sab_kind, napi_enumerable, NULL},
      {"sysFutex", NULL, NULL, NULL, NULL, sys_futex, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof *props, props) != napi_ok)
    return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
