/* A stand-in for a compiled Plat program, used by tests/link_smoke.rs:
 * defines plat_main and calls the runtime as generated code will. The
 * environment variable MODE picks what happens after the common prelude. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
typedef struct { uint64_t shape; uint64_t blen, clen; const char *data; char bytes[]; } PlatStr;
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

/* type descriptors as the compiler emits them (docs/runtime-abi.md) */
typedef struct PlatShape {
  uint32_t kind, flags; uint64_t payload_words; const uint64_t *ptr_map; const char *name;
  uint64_t n_children; const struct PlatShape *const *children; const char *const *child_names;
  const void *const *vtable; const struct PlatShape *parent;
} PlatShape;
/* data: element 0; element i at data + i * width (Bool 1, Int16 2, Int64 8);
   the buffer's capacity is the word before data; writer: the owner's ctx */
typedef struct { const PlatShape *shape; uint64_t len, writer; void *data; } PlatList;
#define CAP(l) (((const uint64_t *)(l)->data)[-1])
extern const PlatShape plat_type_int64, plat_type_bool, plat_type_int16;
static const PlatShape *const int_kids[] = { &plat_type_int64 };
static const PlatShape list_int = { 5, 0, 0, 0, "List", 1, int_kids, 0, 0, 0 };
static const PlatShape *const bool_kids[] = { &plat_type_bool };
static const PlatShape list_bool = { 5, 0, 0, 0, "List", 1, bool_kids, 0, 0, 0 };
static const PlatShape *const i16_kids[] = { &plat_type_int16 };
static const PlatShape list_i16 = { 5, 0, 0, 0, "List", 1, i16_kids, 0, 0, 0 };
static const PlatShape *const str_int_kids[] = { (const PlatShape *)plat_shape_string, &plat_type_int64 };
static const PlatShape dict_str_int = { 6, 0, 0, 0, "Dict", 2, str_int_kids, 0, 0, 0 };
PlatList *plat_list_new(const PlatShape*, uint64_t); void plat_list_push(PlatList*, uint64_t);
void plat_list_set(PlatList*, int64_t, uint64_t, const char*);
void *plat_dict_new(const PlatShape*); uint8_t plat_dict_set(void*, uint64_t, uint64_t);
PlatStr *plat_value_to_string(uint64_t, const PlatShape*);

/* a string literal as the compiler emits it (header relocated to plat_shape_string; data null: inline bytes) */
static struct { const void *shape; uint64_t blen, clen; const char *data; char b[13]; } lit = { plat_shape_string, 13, 11, 0, "héllo wörld" };
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
  if (!strcmp(mode, "collections")) {
    PlatList *l = plat_list_new(&list_int, 0);
    for (uint64_t i = 0; i < 5; i++) plat_list_push(l, i * i);
    ((int64_t *)l->data)[1] = 7; /* xs.set as compiled code does it, in place */
    plat_print_str(plat_value_to_string((uint64_t)l, &list_int));
    PlatList *b = plat_list_new(&list_bool, 3);
    /* xs.push in place, as compiled code does it when this task owns the list */
    if (b->writer != (uint64_t)(uintptr_t)ctx) return 99;
    while (b->len < CAP(b)) { ((uint8_t *)b->data)[b->len] = b->len != 1; b->len++; }
    plat_list_push(b, 1);
    plat_print_str(plat_value_to_string((uint64_t)b, &list_bool));
    PlatList *h = plat_list_new(&list_i16, 0);
    for (int64_t i = 0; i < 5; i++) plat_list_push(h, (uint64_t)(i * -1000));
    ((int16_t *)h->data)[4] = -32768;
    plat_print_str(plat_value_to_string((uint64_t)h, &list_i16));
    void *d = plat_dict_new(&dict_str_int);
    plat_dict_set(d, (uint64_t)LIT, 1);
    plat_print_str(plat_value_to_string((uint64_t)d, &dict_str_int));
    plat_list_set(l, (int64_t)l->len + 4, 0, "t.plat:7:8");
  }
  if (!strcmp(mode, "many")) { for (int i = 0; i < 1000000; i++) plat_print_str(plat_str_from_i64(i)); }
  return 0;
}
