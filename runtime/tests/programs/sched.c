/* A stand-in for a compiled program, for tests/link_smoke.rs: scheduler
 * tools. MODE=log: four tasks append to a shared log at safepoints (the
 * interleaving is the scheduler's choice; printed at the end).
 * MODE=trace: a few tasks that spawn, sleep, await and end.
 * MODE=sleeps: sleepers of 60, 20, 40 and 1 ms, spawned in that order,
 * print their duration when they wake. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
typedef struct { uintptr_t stack_limit; uintptr_t poll; } PlatCtx;
void *plat_scope_enter(PlatCtx*); void plat_scope_exit(PlatCtx*, void*);
void *plat_spawn(PlatCtx*, void*, uint64_t (*)(PlatCtx*, void*), void*, const char*);
uint64_t plat_task_await(PlatCtx*, void*, const char*);
void plat_safepoint(PlatCtx*);
void plat_time_sleep(PlatCtx*, int64_t);
static char logbuf[1024];
static int loglen;
static uint64_t appender(PlatCtx *c, void *env) {
  char me = 'a' + (char)(uintptr_t)env;
  for (int i = 0; i < 25; i++) {
    logbuf[loglen++] = me;
    if (me == 'd' && i % 10 == 9) plat_time_sleep(c, 1);
    if (c->poll) plat_safepoint(c); /* a compiled back edge */
  }
  return 0;
}
static uint64_t sleep_print(PlatCtx *c, void *env) {
  char line[16];
  int n = 0, v = (int)(uintptr_t)env;
  plat_time_sleep(c, v);
  if (v >= 10) line[n++] = '0' + v / 10;
  line[n++] = '0' + v % 10;
  line[n++] = '\n';
  return write(1, line, n) == n ? 0 : 9;
}
static uint64_t napper(PlatCtx *c, void *env) { plat_time_sleep(c, (int64_t)(uintptr_t)env); return 1; }
static uint64_t parent(PlatCtx *c, void *env) {
  void *s = plat_scope_enter(c);
  void *t = plat_spawn(c, s, napper, (void*)2, "t.plat:7:7");
  uint64_t r = plat_task_await(c, t, "t.plat:8:8");
  plat_scope_exit(c, s); return r + 1; }
int32_t plat_main(PlatCtx *c) {
  const char *m = getenv("MODE");
  void *s = plat_scope_enter(c);
  if (!strcmp(m, "log")) {
    for (int i = 0; i < 4; i++) plat_spawn(c, s, appender, (void*)(uintptr_t)i, "t.plat:1:1");
    plat_scope_exit(c, s);
    logbuf[loglen++] = '\n';
    if (write(1, logbuf, loglen) != loglen) return 9;
    return 0;
  }
  if (!strcmp(m, "sleeps")) {
    /* Sleepers spawned in the order 60, 20, 40, 1 ms print as they wake. */
    static const int ms[] = {60, 20, 40, 1};
    for (int i = 0; i < 4; i++) plat_spawn(c, s, sleep_print, (void*)(uintptr_t)ms[i], "t.plat:4:4");
  }
  if (!strcmp(m, "trace")) {
    void *a = plat_spawn(c, s, parent, 0, "t.plat:2:2");
    void *b = plat_spawn(c, s, napper, (void*)1, "t.plat:3:3");
    plat_task_await(c, a, "t.plat:8:8"); plat_task_await(c, b, "t.plat:8:8");
  }
  plat_scope_exit(c, s);
  return 0;
}
