/* A stand-in for a compiled Plat program, used by tests/link_smoke.rs:
 * defines plat_main and calls the runtime as generated code will. The
 * environment variable MODE picks what happens after the common prelude. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
typedef struct { uint64_t shape; uint64_t blen, clen; char bytes[]; } PlatStr;
typedef struct { uintptr_t stack_limit; uintptr_t poll; } PlatCtx;
extern const char plat_shape_string[];
PlatStr *plat_str_concat(const PlatStr*, const PlatStr*);
PlatStr *plat_str_from_i64(int64_t);
PlatStr *plat_str_from_f64(double);
void *plat_sb_new(void); void plat_sb_push_str(void*, const PlatStr*); void plat_sb_push_i64(void*, int64_t);
void plat_sb_push_f64(void*, double); void plat_sb_push_bool(void*, uint8_t); PlatStr *plat_sb_finish(void*);
void plat_print_str(const PlatStr*);
void plat_panic(const PlatStr*, const char*); void plat_panic_cstr(const char*, const char*);
void plat_assert_fail(const PlatStr*, const char*); void plat_process_exit(int32_t);
int32_t plat_str_length(const PlatStr*);
PlatStr *plat_str_substring(const PlatStr*, int32_t, int32_t);

/* a string literal as the compiler emits it (header relocated to plat_shape_string) */
static struct { const void *shape; uint64_t blen, clen; char b[14]; } lit = { plat_shape_string, 13, 11, "héllo wörld" };
#define LIT ((const PlatStr*)&lit)

static PlatCtx *g;
/* Recursion with the prologue check compiled functions have. */
static int depth(int n) {
  char buf[256]; volatile char *p = buf; p[0] = n;
  if ((uintptr_t)__builtin_frame_address(0) < g->stack_limit) __builtin_trap();
  return depth(n + 1) + p[0];
}

int32_t plat_main(PlatCtx *ctx) {
  g = ctx;
  const char *mode = getenv("MODE");
  plat_print_str(LIT);
  plat_print_str(plat_str_concat(LIT, plat_str_from_i64(plat_str_length(LIT))));
  plat_print_str(plat_str_substring(LIT, 1, 8));
  void *sb = plat_sb_new();
  plat_sb_push_str(sb, LIT); plat_sb_push_i64(sb, -7); plat_sb_push_f64(sb, 1e20); plat_sb_push_bool(sb, 1);
  plat_print_str(plat_sb_finish(sb));
  if (!mode) return 3;
  if (!strcmp(mode, "panic")) plat_panic(LIT, "t.plat:1:2");
  if (!strcmp(mode, "panic_cstr")) plat_panic_cstr("division by zero", "t.plat:3:4");
  if (!strcmp(mode, "assert")) plat_assert_fail(0, "t.plat:5:6");
  if (!strcmp(mode, "assert_msg")) plat_assert_fail(LIT, "t.plat:5:6");
  if (!strcmp(mode, "exit")) plat_process_exit(42);
  if (!strcmp(mode, "overflow")) return depth(0);
  if (!strcmp(mode, "segv")) { *(volatile int*)16 = 1; }
  if (!strcmp(mode, "many")) { for (int i = 0; i < 1000000; i++) plat_print_str(plat_str_from_i64(i)); }
  return 0;
}
