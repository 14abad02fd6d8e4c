//! Parser and lexer tests: every construct of the grammar, checked on the
//! shape of the AST. Error cases and robustness are in `tests_errors.rs`.

use crate::diag::Diagnostic;
use crate::source::FileId;
use crate::syntax::ast::*;
use crate::syntax::lexer::lex;
use crate::syntax::parse_file;
use crate::syntax::token::Token;

pub(super) fn parse(src: &str) -> (Module, Vec<Diagnostic>) {
    parse_file(FileId(0), src)
}

/// Parses a file that must have no diagnostics.
pub(super) fn parse_ok(src: &str) -> Module {
    let (m, d) = parse(src);
    assert!(d.is_empty(), "unexpected diagnostics for {src:?}: {d:#?}");
    m
}

fn tokens(src: &str) -> Vec<Token> {
    let (toks, d) = lex(FileId(0), src);
    assert!(d.is_empty(), "lex errors: {d:#?}");
    toks.into_iter().map(|(t, _)| t).collect()
}

fn only_fn(m: &Module) -> &FnDecl {
    match m.items.first().map(|i| &i.kind) {
        Some(ItemKind::Fn(f)) => f,
        other => panic!("expected a function, got {other:?}"),
    }
}

/// The body of `fn f() { BODY }`.
fn body(src: &str) -> Block {
    let m = parse_ok(&format!("fn f() {{ {src} }}"));
    only_fn(&m).body.clone()
}

/// The expression `E` of `fn f() { return E; }`.
fn expr(src: &str) -> Expr {
    let b = body(&format!("return {src};"));
    match b.stmts.into_iter().next().map(|s| s.kind) {
        Some(StmtKind::Return(Some(e))) => e,
        other => panic!("expected a return, got {other:?}"),
    }
}

/// The type `T` of `type A = T;`.
fn ty(src: &str) -> TypeExpr {
    let m = parse_ok(&format!("type A = {src};"));
    match m.items.into_iter().next().map(|i| i.kind) {
        Some(ItemKind::TypeAlias { ty, .. }) => ty,
        other => panic!("expected an alias, got {other:?}"),
    }
}

/// The first arm pattern of `match x { P -> 0 }`.
fn pattern(src: &str) -> Pattern {
    match expr(&format!("match x {{ {src} -> 0 }}")).kind {
        ExprKind::Match { mut arms, .. } => arms.remove(0).pattern,
        other => panic!("expected a match, got {other:?}"),
    }
}

fn path_names(e: &Expr) -> Vec<String> {
    match &e.kind {
        ExprKind::Path(p) => p.segments.iter().map(|s| s.name.clone()).collect(),
        other => panic!("expected a path, got {other:?}"),
    }
}

fn int(e: &Expr) -> u64 {
    match e.kind {
        ExprKind::Int { value, .. } => value,
        ref other => panic!("expected an int, got {other:?}"),
    }
}

// ---------------------------------------------------------------- lexer

#[test]
fn lexes_numbers() {
    let t = tokens("1_000 0xFF 0x1f_i64 1.5 3.14_f32 7_i16 0i8 2f64 2e3 1.5E-4 255i64");
    let ints: Vec<_> = t
        .iter()
        .map(|t| match t {
            Token::Int { value, suffix } => format!("i{value}{suffix:?}"),
            Token::Float { value, suffix } => format!("f{value}{suffix:?}"),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        ints,
        [
            "i1000None",
            "i255None",
            "i31Some(I64)",
            "f1.5None",
            "f3.14Some(F32)",
            "i7Some(I16)",
            "i0Some(I8)",
            "f2Some(F64)",
            "f2000None",
            "f0.00015None",
            "i255Some(I64)",
        ]
    );
}

#[test]
fn range_is_not_a_float() {
    assert_eq!(
        tokens("1..5 1..=5"),
        [
            Token::Int {
                value: 1,
                suffix: None
            },
            Token::DotDot,
            Token::Int {
                value: 5,
                suffix: None
            },
            Token::Int {
                value: 1,
                suffix: None
            },
            Token::DotDotEq,
            Token::Int {
                value: 5,
                suffix: None
            },
        ]
    );
}

#[test]
fn lexes_keywords_and_contextual_words() {
    assert_eq!(
        tokens("break continue List select race default after Fn Unit"),
        [
            Token::Break,
            Token::Continue,
            Token::List,
            Token::Ident("select".into()),
            Token::Ident("race".into()),
            Token::Ident("default".into()),
            Token::Ident("after".into()),
            Token::Ident("Fn".into()),
            Token::Ident("Unit".into()),
        ]
    );
}

#[test]
fn lexes_escapes_and_comments() {
    assert_eq!(
        tokens(
            r#"// line
        "a\n\t\r\\\"\$\q" /* block
        comment */ "\${x}""#
        ),
        [
            Token::Str("a\n\t\r\\\"$q".into()),
            Token::Str("${x}".into())
        ]
    );
}

#[test]
fn lexes_interpolation_into_tokens() {
    assert_eq!(
        tokens(r#""a${x}b""#),
        [
            Token::StrStart,
            Token::StrPart("a".into()),
            Token::InterpOpen,
            Token::Ident("x".into()),
            Token::InterpClose,
            Token::StrPart("b".into()),
            Token::StrEnd,
        ]
    );
}

#[test]
fn interpolation_allows_quotes_and_nested_braces() {
    let e = expr(r#""${ "a" + "b" } and ${ {"k": 1} }""#);
    let ExprKind::Str(parts) = e.kind else {
        panic!("not a string")
    };
    assert_eq!(parts.len(), 3);
    assert!(matches!(
        &parts[0],
        StrPart::Interp(Expr {
            kind: ExprKind::Binary { op: BinOp::Add, .. },
            ..
        })
    ));
    assert_eq!(parts[1], StrPart::Lit(" and ".into()));
    assert!(
        matches!(&parts[2], StrPart::Interp(Expr { kind: ExprKind::Dict(d), .. }) if d.len() == 1)
    );
}

#[test]
fn interpolation_spans_point_into_the_file() {
    let src = r#"fn f() { print(value = "n=${count + 1}!"); }"#;
    let m = parse_ok(src);
    let b = &only_fn(&m).body;
    let StmtKind::Expr(Expr {
        kind: ExprKind::Call { args, .. },
        ..
    }) = &b.stmts[0].kind
    else {
        panic!("not a call")
    };
    let ExprKind::Str(parts) = &args[0].value.kind else {
        panic!("not a string")
    };
    let StrPart::Interp(inner) = &parts[1] else {
        panic!("not an interpolation")
    };
    assert_eq!(&src[inner.span.range()], "count + 1");
    let ExprKind::Binary { lhs, .. } = &inner.kind else {
        panic!("not binary")
    };
    assert_eq!(&src[lhs.span.range()], "count");
    assert_eq!(&src[args[0].value.span.range()], r#""n=${count + 1}!""#);
}

// ---------------------------------------------------------------- items

#[test]
fn parses_module_header_and_items() {
    let m = parse_ok(
        "mod geo::shapes; use std::json; use std::test;
         pub type Meters = Int32; newtype Id = String;
         test arith { fn helper() -> Int32 { return 1; } fn test_sum() { } }
         bench speed { fn bench_loop() { } }",
    );
    let mod_decl = m.mod_decl.as_ref().map(|p| p.segments.len());
    assert_eq!(mod_decl, Some(2));
    assert_eq!(m.uses.len(), 2);
    assert_eq!(m.uses[1].segments[1].name, "test");
    assert!(m.items[0].is_pub);
    assert!(matches!(&m.items[0].kind, ItemKind::TypeAlias { name, .. } if name.name == "Meters"));
    assert!(matches!(&m.items[1].kind, ItemKind::Newtype { .. }));
    assert!(matches!(&m.items[2].kind, ItemKind::Test { fns, .. } if fns.len() == 2));
    assert!(matches!(&m.items[3].kind, ItemKind::Bench { fns, .. } if fns.len() == 1));
}

#[test]
fn parses_function_signature() {
    let m = parse_ok(
        "pub virtual override mut fn id<T, U>(value: T, low: Int32 = 0) -> T { return value; }",
    );
    let f = only_fn(&m);
    assert!(m.items[0].is_pub);
    let mods = &f.modifiers;
    assert!(mods.is_pub && mods.is_virtual && mods.is_override && mods.is_mut);
    assert_eq!(f.generics.len(), 2);
    assert_eq!(f.params.len(), 2);
    assert!(f.params[0].default.is_none());
    assert_eq!(f.params[1].default.as_ref().map(int), Some(0));
    assert!(f.ret.is_some());
    let m = parse_ok("fn main() { }");
    assert!(only_fn(&m).ret.is_none());
}

#[test]
fn parses_class() {
    let m = parse_ok(
        "class Dog<T> : Animal {
           pub let name: String;
           var age: Int32;
           init(name: String) -> Dog { self.name = name; return self; }
           pub override fn speak() -> String { return \"woof\"; }
           fn helper() { }
         }",
    );
    let ItemKind::Class(c) = &m.items[0].kind else {
        panic!("not a class")
    };
    assert_eq!(c.name.name, "Dog");
    assert_eq!(c.generics.len(), 1);
    assert!(c.parent.is_some());
    assert_eq!(c.fields.len(), 2);
    assert!(c.fields[0].is_pub && !c.fields[0].mutable);
    assert!(!c.fields[1].is_pub && c.fields[1].mutable);
    assert_eq!(c.inits.len(), 1);
    assert_eq!(c.inits[0].name.name, "init");
    assert_eq!(c.methods.len(), 2);
    assert!(c.methods[0].modifiers.is_override);
}

#[test]
fn parses_enum() {
    let m = parse_ok(
        "enum Tree<T> { Leaf, Node(T, List[Tree<T>]) fn size() -> Int32 { return 0; } Empty, }",
    );
    let ItemKind::Enum(e) = &m.items[0].kind else {
        panic!("not an enum")
    };
    let names: Vec<_> = e.variants.iter().map(|v| v.name.name.as_str()).collect();
    assert_eq!(names, ["Leaf", "Node", "Empty"]);
    assert_eq!(e.variants[1].fields.len(), 2);
    assert_eq!(e.methods.len(), 1);
    assert_eq!(e.generics.len(), 1);
}

// ---------------------------------------------------------------- types

#[test]
fn parses_types() {
    assert!(matches!(ty("List[Int32]").kind, TypeExprKind::List(_)));
    assert!(matches!(ty("List<Int32>").kind, TypeExprKind::List(_)));
    assert!(matches!(
        ty("Dict[String, Int64]").kind,
        TypeExprKind::Dict(..)
    ));
    assert!(matches!(ty("Set<Bool>").kind, TypeExprKind::Set(_)));
    assert!(matches!(ty("()").kind, TypeExprKind::Unit));
    let TypeExprKind::Named { path, args } = ty("geo::Shape<Option<Int32>, T>").kind else {
        panic!("not named")
    };
    assert_eq!(path.segments.len(), 2);
    assert_eq!(args.len(), 2);
    let TypeExprKind::Fn { params, ret } = ty("Fn(Int32, String) -> Bool").kind else {
        panic!("not a function type")
    };
    assert_eq!(params.len(), 2);
    assert!(ret.is_some());
    assert!(
        matches!(ty("Fn() -> Unit").kind, TypeExprKind::Fn { ref params, .. } if params.is_empty())
    );
    assert!(matches!(
        ty("Fn()").kind,
        TypeExprKind::Fn { ret: None, .. }
    ));
}

// ---------------------------------------------------------------- statements

#[test]
fn parses_statements() {
    let b = body(
        "let a: Int32 = 1; var b = 2; return; while (b < 3) { b = b + 1; }
         for (i: Int32 in 0..10) { break; } for (x in xs) { continue; }
         concurrent { } concurrent(deadline_millis = 500) { } return a;",
    );
    let kinds: Vec<_> = b.stmts.iter().map(|s| &s.kind).collect();
    assert!(matches!(
        kinds[0],
        StmtKind::Let {
            mutable: false,
            ty: Some(_),
            ..
        }
    ));
    assert!(matches!(
        kinds[1],
        StmtKind::Let {
            mutable: true,
            ty: None,
            ..
        }
    ));
    assert!(matches!(kinds[2], StmtKind::Return(None)));
    assert!(matches!(kinds[3], StmtKind::While { .. }));
    assert!(matches!(kinds[4], StmtKind::For { ty: Some(_), .. }));
    assert!(matches!(kinds[5], StmtKind::For { ty: None, .. }));
    assert!(matches!(kinds[6], StmtKind::Concurrent { args, .. } if args.is_empty()));
    assert!(matches!(kinds[7], StmtKind::Concurrent { args, .. } if args.len() == 1));
    assert!(matches!(kinds[8], StmtKind::Return(Some(_))));
    let StmtKind::For { body, .. } = kinds[4] else {
        panic!()
    };
    assert!(matches!(body.stmts[0].kind, StmtKind::Break));
}

#[test]
fn parses_select() {
    let b = body(
        "select {
           let v: Option<Int32> = ch.recv() -> { print(value = v); }
           out.send(value = 1) -> { }
           after(millis = 100) -> { }
           default -> { }
         }",
    );
    let StmtKind::Select(arms) = &b.stmts[0].kind else {
        panic!("not a select: {b:?}")
    };
    assert!(matches!(
        &arms[0].kind,
        SelectArmKind::Recv { ty: Some(_), .. }
    ));
    assert!(matches!(
        &arms[1].kind,
        SelectArmKind::Send(Expr {
            kind: ExprKind::MethodCall { .. },
            ..
        })
    ));
    assert!(matches!(
        &arms[2].kind,
        SelectArmKind::After(Expr {
            kind: ExprKind::Call { .. },
            ..
        })
    ));
    assert!(matches!(&arms[3].kind, SelectArmKind::Default));
    assert_eq!(arms[0].body.stmts.len(), 1);
}

#[test]
fn block_tail_and_block_like_statements() {
    let b = body("let x = 1; x + 1");
    assert_eq!(b.stmts.len(), 1);
    assert!(matches!(
        b.tail.as_deref().map(|e| &e.kind),
        Some(ExprKind::Binary { .. })
    ));
    // Block-like expressions need no `;`; the last one is the tail.
    let b = body("if (a) { f(); } match x { _ -> 1 } if (b) { 1 } else { 2 }");
    assert_eq!(b.stmts.len(), 2);
    assert!(matches!(
        b.stmts[0].kind,
        StmtKind::Expr(Expr {
            kind: ExprKind::If { .. },
            ..
        })
    ));
    assert!(matches!(
        b.tail.as_deref().map(|e| &e.kind),
        Some(ExprKind::If { .. })
    ));
    let b = body("f();");
    assert!(b.tail.is_none() && b.stmts.len() == 1);
    let b = body(";; f(); ;");
    assert_eq!(b.stmts.len(), 1);
}

// ---------------------------------------------------------------- expressions

#[test]
fn precedence_and_associativity() {
    // a = b = not c == d or e and f < g + h * -i
    let e = expr("a = b = not c == d or e and f < g + h * -i");
    let ExprKind::Assign { value, .. } = e.kind else {
        panic!()
    };
    let ExprKind::Assign { value, .. } = value.kind else {
        panic!("assignment is right-assoc")
    };
    let ExprKind::Binary {
        op: BinOp::Or,
        lhs,
        rhs,
    } = value.kind
    else {
        panic!()
    };
    assert!(
        matches!(lhs.kind, ExprKind::Binary { op: BinOp::Eq, ref lhs, .. }
        if matches!(lhs.kind, ExprKind::Unary { op: UnOp::Not, .. }))
    );
    let ExprKind::Binary {
        op: BinOp::And,
        rhs,
        ..
    } = rhs.kind
    else {
        panic!()
    };
    let ExprKind::Binary {
        op: BinOp::Lt, rhs, ..
    } = rhs.kind
    else {
        panic!()
    };
    let ExprKind::Binary {
        op: BinOp::Add,
        rhs,
        ..
    } = rhs.kind
    else {
        panic!()
    };
    let ExprKind::Binary {
        op: BinOp::Mul,
        rhs,
        ..
    } = rhs.kind
    else {
        panic!()
    };
    assert!(matches!(rhs.kind, ExprKind::Unary { op: UnOp::Neg, .. }));
    // Left associativity.
    let ExprKind::Binary {
        op: BinOp::Sub,
        lhs,
        ..
    } = expr("1 - 2 - 3").kind
    else {
        panic!()
    };
    assert!(matches!(lhs.kind, ExprKind::Binary { op: BinOp::Sub, .. }));
    let ExprKind::Binary { op: BinOp::Rem, .. } = expr("1 * 2 % 3").kind else {
        panic!()
    };
}

#[test]
fn ranges() {
    let ExprKind::Range {
        start,
        end,
        inclusive,
    } = expr("0..n + 1").kind
    else {
        panic!()
    };
    assert_eq!(int(&start), 0);
    assert!(!inclusive);
    assert!(matches!(end.kind, ExprKind::Binary { op: BinOp::Add, .. }));
    assert!(matches!(
        expr("a..=b").kind,
        ExprKind::Range {
            inclusive: true,
            ..
        }
    ));
    assert!(matches!(
        expr("0..n < m").kind,
        ExprKind::Binary { op: BinOp::Lt, .. }
    ));
}

#[test]
fn postfix_chain() {
    let e = expr("a.b.c(x = 1)[0]?");
    let ExprKind::Try(inner) = e.kind else {
        panic!()
    };
    let ExprKind::Index { object, index } = inner.kind else {
        panic!()
    };
    assert_eq!(int(&index), 0);
    let ExprKind::MethodCall {
        receiver,
        method,
        args,
    } = object.kind
    else {
        panic!()
    };
    assert_eq!(method.name, "c");
    assert_eq!(args[0].name.as_ref().map(|n| n.name.as_str()), Some("x"));
    assert!(matches!(receiver.kind, ExprKind::Field { ref field, .. } if field.name == "b"));
}

#[test]
fn calls_and_arguments() {
    let ExprKind::Call { callee, args } = expr("f(a = 1, b = x == 2,)").kind else {
        panic!()
    };
    assert_eq!(path_names(&callee), ["f"]);
    assert_eq!(args.len(), 2);
    assert!(args.iter().all(|a| a.name.is_some()));
    let ExprKind::Call { args, .. } = expr("g(1, y == 2)").kind else {
        panic!()
    };
    assert!(args.iter().all(|a| a.name.is_none()));
    let ExprKind::Call { args, .. } = expr("print(value = 1)").kind else {
        panic!()
    };
    assert_eq!(args.len(), 1);
    let ExprKind::Call { args, .. } = expr("h()").kind else {
        panic!()
    };
    assert!(args.is_empty());
}

#[test]
fn init_super_cast_and_paths() {
    let ExprKind::MethodCall {
        receiver, method, ..
    } = expr("Account.init(owner = \"a\")").kind
    else {
        panic!()
    };
    assert_eq!(method.name, "init");
    assert_eq!(path_names(&receiver), ["Account"]);
    assert!(
        matches!(expr("super.init(a = 1)").kind, ExprKind::SuperCall { ref method, .. } if method.name == "init")
    );
    assert!(
        matches!(expr("super.speak()").kind, ExprKind::SuperCall { ref method, .. } if method.name == "speak")
    );
    let ExprKind::Cast { value, target } = expr("cast(value = x + 1, target = Int64)").kind else {
        panic!()
    };
    assert!(matches!(value.kind, ExprKind::Binary { .. }));
    assert!(matches!(target.kind, TypeExprKind::Named { .. }));
    assert_eq!(path_names(&expr("Shape::Dot")), ["Shape", "Dot"]);
    assert_eq!(path_names(&expr("std::test::add")), ["std", "test", "add"]);
    let ExprKind::Call { callee, args } = expr("Shape::Circle(field0 = 1)").kind else {
        panic!()
    };
    assert_eq!(path_names(&callee), ["Shape", "Circle"]);
    assert_eq!(args.len(), 1);
    assert!(matches!(expr("self").kind, ExprKind::SelfValue));
    assert!(matches!(expr("()").kind, ExprKind::Unit));
    assert!(matches!(expr("(1 + 2)").kind, ExprKind::Binary { .. }));
}

#[test]
fn collections() {
    assert!(matches!(expr("[1, 2, 3]").kind, ExprKind::List(ref v) if v.len() == 3));
    assert!(matches!(expr("[]").kind, ExprKind::List(ref v) if v.is_empty()));
    let ExprKind::Dict(entries) = expr("{\"k\": 1, other: 2,}").kind else {
        panic!()
    };
    assert_eq!(entries.len(), 2);
    assert_eq!(
        entries[1].0.kind,
        ExprKind::Str(vec![StrPart::Lit("other".into())])
    );
    assert!(matches!(expr("{}").kind, ExprKind::Dict(ref v) if v.is_empty()));
    assert!(matches!(expr("Set{1, 2}").kind, ExprKind::Set(ref v) if v.len() == 2));
    assert!(matches!(expr("{ let a = 1; a }").kind, ExprKind::Block(ref b) if b.tail.is_some()));
}

#[test]
fn if_and_match() {
    let ExprKind::If { otherwise, .. } = expr("if (a) { 1 } else if (b) { 2 } else { 3 }").kind
    else {
        panic!()
    };
    let other = otherwise.expect("else");
    let ExprKind::If { otherwise, .. } = other.kind else {
        panic!("else if")
    };
    assert!(matches!(
        otherwise.map(|e| e.kind),
        Some(ExprKind::Block(_))
    ));
    let ExprKind::Match { scrutinee, arms } = expr(
        "match s { Shape::Circle(r: Int32) -> 3 * r, Shape::Dot -> { print(value = 1); 0 }
                   _ -> print(value = 2) n -> {} }",
    )
    .kind
    else {
        panic!()
    };
    assert_eq!(path_names(&scrutinee), ["s"]);
    assert_eq!(arms.len(), 4);
    assert!(
        matches!(arms[1].body.kind, ExprKind::Block(ref b) if b.stmts.len() == 1 && b.tail.is_some())
    );
    assert!(matches!(arms[2].body.kind, ExprKind::Call { .. }));
    assert!(matches!(arms[3].body.kind, ExprKind::Block(ref b) if b.stmts.is_empty()));
}

#[test]
fn concurrency_expressions_and_closures() {
    assert!(matches!(
        expr("spawn { return 1; }").kind,
        ExprKind::Spawn(_)
    ));
    let ExprKind::Race(tasks) = expr("race { spawn { 1 } spawn { return 2; }; spawn { 3 }, }").kind
    else {
        panic!()
    };
    assert_eq!(tasks.len(), 3);
    assert!(tasks.iter().all(|t| matches!(t.kind, ExprKind::Spawn(_))));
    let ExprKind::Closure {
        params,
        ret,
        body: cbody,
    } = expr("fn(x: Int32, y: Int32) -> Int32 { return x * y; }").kind
    else {
        panic!()
    };
    assert_eq!(params.len(), 2);
    assert!(ret.is_some());
    assert_eq!(cbody.stmts.len(), 1);
    assert!(matches!(
        expr("fn() { }").kind,
        ExprKind::Closure { ret: None, .. }
    ));
    let b = body("let f: Fn(Int32) -> Int32 = double; f(21);");
    assert_eq!(b.stmts.len(), 2);
}

// ---------------------------------------------------------------- patterns

#[test]
fn patterns() {
    assert!(matches!(pattern("_").kind, PatternKind::Wildcard));
    assert!(matches!(pattern("42").kind, PatternKind::Literal(ref e) if int(e) == 42));
    assert!(matches!(
        pattern("-1").kind,
        PatternKind::Literal(Expr {
            kind: ExprKind::Unary { op: UnOp::Neg, .. },
            ..
        })
    ));
    assert!(matches!(
        pattern("\"s\"").kind,
        PatternKind::Literal(Expr {
            kind: ExprKind::Str(_),
            ..
        })
    ));
    assert!(matches!(
        pattern("true").kind,
        PatternKind::Literal(Expr {
            kind: ExprKind::Bool(true),
            ..
        })
    ));
    assert!(matches!(
        pattern("Shape::Dot").kind,
        PatternKind::Variant { fields: None, .. }
    ));
    let PatternKind::Variant {
        path,
        fields: Some(fields),
    } = pattern("Shape::Rect(w: Int32, h, _)").kind
    else {
        panic!()
    };
    assert_eq!(path.segments.len(), 2);
    assert!(matches!(
        fields[0].kind,
        PatternKind::Binding { ty: Some(_), .. }
    ));
    assert!(matches!(
        fields[1].kind,
        PatternKind::Binding { ty: None, .. }
    ));
    assert!(matches!(fields[2].kind, PatternKind::Wildcard));
    assert!(matches!(
        pattern("Some(v: Int32)").kind,
        PatternKind::Variant {
            fields: Some(_),
            ..
        }
    ));
    assert!(matches!(pattern("json::JsonValue::Null").kind,
        PatternKind::Variant { ref path, .. } if path.segments.len() == 3));
    assert!(matches!(
        pattern("value: Int32").kind,
        PatternKind::Binding { ty: Some(_), .. }
    ));
    assert!(matches!(
        pattern("other").kind,
        PatternKind::Binding { ty: None, .. }
    ));
    assert!(matches!(
        pattern("Dot").kind,
        PatternKind::Variant { fields: None, .. }
    ));
}

#[test]
fn spans_cover_their_source() {
    let src = "fn f() -> Int32 { let x: Int32 = 1 + 2; return x; }";
    let m = parse_ok(src);
    let f = only_fn(&m);
    assert_eq!(&src[f.span.range()], src);
    assert_eq!(&src[f.body.stmts[0].span.range()], "let x: Int32 = 1 + 2;");
    let StmtKind::Let { value, name, .. } = &f.body.stmts[0].kind else {
        panic!()
    };
    assert_eq!(&src[value.span.range()], "1 + 2");
    assert_eq!(&src[name.span.range()], "x");
}
