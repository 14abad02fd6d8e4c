/* A stand-in for a compiled program using tasks, for tests/link_smoke.rs:
 * MODE picks the scenario (deadlock, panic, unobserved, overflow, sleep,
 * cascade, cancelled, cancelled_in_task). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
typedef struct { uintptr_t stack_limit; uintptr_t poll; } PlatCtx;
void *plat_scope_enter(PlatCtx*); void plat_scope_exit(PlatCtx*, void*);
void *plat_spawn(PlatCtx*, void*, uint64_t (*)(PlatCtx*, void*), void*, const char*);
uint64_t plat_task_await(PlatCtx*, void*, const char*);
void plat_panic_cstr(const char*, const char*);
void plat_time_sleep(PlatCtx*, int64_t);
void plat_task_cancel(void*);
static void *mainself;
static uint64_t waits_main(PlatCtx *c, void *env) { plat_time_sleep(c, 10); return plat_task_await(c, *(void**)env, "t.plat:8:8"); }
static void *ga, *gb;
static uint64_t boom(PlatCtx *c, void *env) { plat_panic_cstr("kaboom", "t.plat:9:9"); return 0; }
static uint64_t mid(PlatCtx *c, void *env) {
  void *s = plat_scope_enter(c); void *t = plat_spawn(c, s, boom, 0, "t.plat:5:5");
  uint64_t r = plat_task_await(c, t, "t.plat:8:8"); plat_scope_exit(c, s); return r; }
/* Sleeps a minute, so it is surely cancelled while asleep however late its sibling fails. */
static uint64_t nap_then_await(PlatCtx *c, void *env) { plat_time_sleep(c, 60000); return plat_task_await(c, env, "t.plat:8:8") + 1; }
static uint64_t long_nap(PlatCtx *c, void *env) { plat_time_sleep(c, 60000); return 1; }
static uint64_t cancels_then_awaits(PlatCtx *c, void *env) {
  void *s = plat_scope_enter(c); void *t = plat_spawn(c, s, long_nap, 0, "t.plat:7:7");
  plat_task_cancel(t); uint64_t r = plat_task_await(c, t, "t.plat:12:12"); plat_scope_exit(c, s); return r; }
static int depth(PlatCtx *c, int n) {
  char buf[256]; volatile char *p = buf; p[0] = n;
  char here; if ((uintptr_t)&here < c->stack_limit) __builtin_trap();
  return n == 0 ? 0 : 1 + depth(c, n - 1) + p[0] * 0; }
static uint64_t deep(PlatCtx *c, void *env) { return depth(c, 100000000); }
int32_t plat_main(PlatCtx *c) {
  const char *m = getenv("MODE");
  void *s = plat_scope_enter(c);
  if (!strcmp(m, "deadlock")) {
    ga = plat_spawn(c, s, waits_main, &gb, "t.plat:2:2");
    gb = plat_spawn(c, s, waits_main, &ga, "t.plat:3:3");
    plat_task_await(c, ga, "t.plat:8:8");
  } else if (!strcmp(m, "panic")) {
    void *t = plat_spawn(c, s, mid, 0, "t.plat:4:4");
    plat_task_await(c, t, "t.plat:8:8");
  } else if (!strcmp(m, "unobserved")) {
    plat_spawn(c, s, mid, 0, "t.plat:4:4");
  } else if (!strcmp(m, "overflow")) {
    void *t = plat_spawn(c, s, deep, 0, "t.plat:6:6");
    plat_task_await(c, t, "t.plat:8:8");
  } else if (!strcmp(m, "cascade")) {
    /* inner fails; that cancels outer (asleep); main awaits outer. */
    void *inner = plat_spawn(c, s, boom, 0, "t.plat:10:10");
    void *outer = plat_spawn(c, s, nap_then_await, inner, "t.plat:11:11");
    plat_task_await(c, outer, "t.plat:12:12");
  } else if (!strcmp(m, "cancelled")) {
    void *t = plat_spawn(c, s, long_nap, 0, "t.plat:7:7");
    plat_task_cancel(t);
    plat_task_await(c, t, "t.plat:12:12");
  } else if (!strcmp(m, "cancelled_in_task")) {
    void *t = plat_spawn(c, s, cancels_then_awaits, 0, "t.plat:4:4");
    plat_task_await(c, t, "t.plat:13:13");
  } else if (!strcmp(m, "sleep")) {
    plat_time_sleep(c, 30);
  }
  plat_scope_exit(c, s);
  return 3;
}
