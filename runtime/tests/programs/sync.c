/* A stand-in for a compiled program using the synchronisation library,
 * for tests/link_sync.rs. MODE picks the scenario:
 * - *_deadlock: every task ends up parked on a sync object (the report
 *   must name it and where it was made);
 * - ticker_deadlock, timeout_deadlock: the same with a ticker or a token
 *   timeout nobody waits on pending (reported at once); ticker_wakes,
 *   timeout_wakes: main waits on them (not a deadlock);
 * - unlock_panic, wg_panic, sem_panic: bad use from main (exit 101);
 * - critical_panic: a task panics holding a mutex, main then takes it;
 * - ticker_drop, limiter: time-based calls, printing what they saw (run
 *   under PLAT_SEED: virtual time, deterministic);
 * - counter: the anchors' mutex_counter (4 tasks x N lock / increment /
 *   unlock, N from $N, default 1000000; prints the count), as compiled
 *   code would run it (with the safepoint poll of a loop's back edge). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
typedef struct { uintptr_t stack_limit; uintptr_t poll; } PlatCtx;
void *plat_scope_enter(PlatCtx*); void plat_scope_exit(PlatCtx*, void*);
void *plat_spawn(PlatCtx*, void*, uint64_t (*)(PlatCtx*, void*), void*, const char*);
uint64_t plat_task_await(PlatCtx*, void*, const char*);
void plat_time_sleep(PlatCtx*, int64_t);
void plat_safepoint(PlatCtx*);
int64_t plat_time_monotonic_nanos(void);
uint8_t plat_chan_recv(PlatCtx*, void*, uint64_t*);
uint8_t plat_chan_try_recv(void*, uint64_t*);
int64_t plat_chan_len(void*);
void *plat_mutex_new(const char*); void plat_mutex_lock(PlatCtx*, void*);
void plat_mutex_unlock(PlatCtx*, void*, const char*);
void *plat_rwlock_new(const char*); void plat_rwlock_read_lock(PlatCtx*, void*);
void plat_rwlock_write_lock(PlatCtx*, void*);
void *plat_cond_new(void*, const char*); void plat_cond_wait(PlatCtx*, void*, const char*);
void *plat_wg_new(const char*); void plat_wg_add(void*, int64_t, const char*);
void plat_wg_done(void*, const char*); void plat_wg_wait(PlatCtx*, void*);
void *plat_sem_new(int64_t, const char*); void plat_sem_acquire(PlatCtx*, void*);
void plat_sem_release(PlatCtx*, void*, const char*);
void *plat_once_new(const char*); uint8_t plat_once_begin(PlatCtx*, void*);
void *plat_ticker_new(int64_t, const char*); void *plat_ticker_channel(void*);
void *plat_ctoken_with_timeout(int64_t, const char*); void *plat_ctoken_child(void*, const char*);
void *plat_ctoken_done(void*);
void *plat_ratelimiter_new(int64_t, int64_t, const char*);
void plat_ratelimiter_wait(PlatCtx*, void*);

static void out(const char *s) { (void)!write(1, s, strlen(s)); }
static void out_num(int64_t v) {
  char b[24]; int n = 0; char t[24]; int k = 0;
  if (v == 0) t[k++] = '0';
  while (v > 0) { t[k++] = '0' + v % 10; v /= 10; }
  while (k) b[n++] = t[--k];
  b[n] = 0; out(b);
}

static void *obj, *obj2;
static volatile int begun;
static uint64_t locks(PlatCtx *c, void *env) { plat_mutex_lock(c, obj); return 0; }
static uint64_t reads(PlatCtx *c, void *env) { plat_rwlock_read_lock(c, obj); return 0; }
static uint64_t runs_once(PlatCtx *c, void *env) {
  plat_once_begin(c, obj);      /* runs f: waits on a wait group for ever */
  begun = 1;
  plat_wg_wait(c, obj2);
  return 0; }
static uint64_t panics_in_critical(PlatCtx *c, void *env) {
  plat_mutex_lock(c, obj);
  void plat_panic_cstr(const char*, const char*);
  plat_panic_cstr("boom", "s.plat:8:8");
  return 0; }

static int64_t counter_n, counter;
static uint64_t count_task(PlatCtx *c, void *env) {
  for (int64_t i = 0; i < counter_n; i++) {
    plat_mutex_lock(c, obj);
    counter++;
    plat_mutex_unlock(c, obj, "s.plat:7:7");
    if (c->poll) plat_safepoint(c);
  }
  return 0; }

int32_t plat_main(PlatCtx *c) {
  const char *m = getenv("MODE");
  void *s = plat_scope_enter(c);
  if (!strcmp(m, "mutex_deadlock")) {
    obj = plat_mutex_new("s.plat:3:7");
    plat_mutex_lock(c, obj);
    void *t = plat_spawn(c, s, locks, 0, "s.plat:9:5");
    plat_task_await(c, t, "s.plat:10:5");
  } else if (!strcmp(m, "rwlock_deadlock")) {
    obj = plat_rwlock_new("s.plat:3:7");
    plat_rwlock_write_lock(c, obj);
    void *t = plat_spawn(c, s, reads, 0, "s.plat:9:5");
    plat_task_await(c, t, "s.plat:10:5");
  } else if (!strcmp(m, "cond_deadlock")) {
    void *mu = plat_mutex_new("s.plat:2:2");
    obj = plat_cond_new(mu, "s.plat:3:7");
    plat_mutex_lock(c, mu);
    plat_cond_wait(c, obj, "s.plat:4:4");
  } else if (!strcmp(m, "wg_deadlock")) {
    obj = plat_wg_new("s.plat:3:7");
    plat_wg_add(obj, 1, "s.plat:4:4");
    plat_wg_wait(c, obj);
  } else if (!strcmp(m, "sem_deadlock")) {
    obj = plat_sem_new(0, "s.plat:3:7");
    plat_sem_acquire(c, obj);
  } else if (!strcmp(m, "once_deadlock")) {
    obj = plat_once_new("s.plat:3:7");
    obj2 = plat_wg_new("s.plat:4:4");
    plat_wg_add(obj2, 1, "s.plat:4:4");
    void *t = plat_spawn(c, s, runs_once, 0, "s.plat:9:5");
    while (!begun) plat_time_sleep(c, 1);
    plat_once_begin(c, obj);
    plat_task_await(c, t, "s.plat:10:5");
  } else if (!strcmp(m, "ticker_deadlock")) {
    plat_ticker_new(2, "s.plat:2:2");
    obj = plat_wg_new("s.plat:3:7");
    plat_wg_add(obj, 1, "s.plat:4:4");
    plat_wg_wait(c, obj);
  } else if (!strcmp(m, "timeout_deadlock")) {
    /* A token with a minute's timeout nobody waits on: reported at once. */
    plat_ctoken_with_timeout(60000, "s.plat:2:2");
    obj = plat_wg_new("s.plat:3:7");
    plat_wg_add(obj, 1, "s.plat:4:4");
    plat_wg_wait(c, obj);
  } else if (!strcmp(m, "timeout_wakes")) {
    /* ... but one a task waits on (through a child) is no deadlock. */
    void *t = plat_ctoken_with_timeout(20, "s.plat:2:2");
    uint64_t v;
    plat_chan_recv(c, plat_ctoken_done(plat_ctoken_child(t, "s.plat:3:3")), &v);
    out("cancelled\n");
  } else if (!strcmp(m, "ticker_wakes")) {
    void *ch = plat_ticker_channel(plat_ticker_new(2, "s.plat:2:2"));
    uint64_t v;
    for (int i = 0; i < 3; i++) plat_chan_recv(c, ch, &v);
    out("3 ticks\n");
  } else if (!strcmp(m, "unlock_panic")) {
    plat_mutex_unlock(c, plat_mutex_new("s.plat:3:7"), "s.plat:6:6");
  } else if (!strcmp(m, "wg_panic")) {
    plat_wg_done(plat_wg_new("s.plat:3:7"), "s.plat:6:6");
  } else if (!strcmp(m, "sem_panic")) {
    plat_sem_release(c, plat_sem_new(2, "s.plat:3:7"), "s.plat:6:6");
  } else if (!strcmp(m, "critical_panic")) {
    obj = plat_mutex_new("s.plat:3:7");
    void *inner = plat_scope_enter(c);
    plat_spawn(c, inner, panics_in_critical, 0, "s.plat:9:5");
    plat_time_sleep(c, 5);
    plat_mutex_lock(c, obj); /* released by the failed task's end */
    out("main got the mutex\n");
    plat_mutex_unlock(c, obj, "s.plat:12:5");
    plat_scope_exit(c, inner); /* re-raises the task's panic */
  } else if (!strcmp(m, "ticker_drop")) {
    void *ch = plat_ticker_channel(plat_ticker_new(10, "s.plat:2:2"));
    plat_time_sleep(c, 95);
    uint64_t v;
    out("len "); out_num(plat_chan_len(ch));
    out(" first "); out_num(plat_chan_try_recv(ch, &v));
    out(" second "); out_num(plat_chan_try_recv(ch, &v));
    int64_t t0 = plat_time_monotonic_nanos();
    plat_chan_recv(c, ch, &v);
    out(" next after "); out_num((plat_time_monotonic_nanos() - t0 + 500000) / 1000000);
    out(" ms\n");
  } else if (!strcmp(m, "counter")) {
    const char *n = getenv("N");
    counter_n = n ? atoll(n) : 1000000;
    obj = plat_mutex_new("s.plat:3:7");
    void *inner = plat_scope_enter(c);
    for (int i = 0; i < 4; i++) plat_spawn(c, inner, count_task, 0, "s.plat:5:5");
    plat_scope_exit(c, inner);
    out_num(counter); out("\n");
  } else if (!strcmp(m, "limiter")) {
    void *r = plat_ratelimiter_new(10, 2, "s.plat:2:2");
    int64_t t0 = plat_time_monotonic_nanos();
    for (int i = 0; i < 6; i++) {
      plat_ratelimiter_wait(c, r);
      out_num((plat_time_monotonic_nanos() - t0) / 100000000);
      out(i < 5 ? " " : "\n");
    }
  }
  plat_scope_exit(c, s);
  return 0;
}
