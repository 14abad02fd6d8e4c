//! Items and the module: `mod a::b;`, `use a::b;`, then `fn` (with the
//! modifiers `pub virtual override mut` in that order), `class` (fields,
//! methods, `init`), `enum` (variants and methods), `type`, `newtype`,
//! `test` and `bench`. An item that fails to parse is skipped up to the
//! next item keyword; a class or enum member up to the next member.

use chumsky::prelude::*;

use super::recovery::{
    delimited_recovery, skip_recovery, ITEM_STARTS, MEMBER_STARTS, PARENS_OTHERS,
};
use super::ty::generics_parser;
use super::{core, ident, module_path, Core, TokenInput, P};
use crate::syntax::ast::{
    ClassDecl, EnumDecl, Expr, FieldDecl, FnDecl, FnModifiers, Ident, Item, ItemKind, Module,
    Param, TypeExpr, VariantDecl,
};
use crate::syntax::token::Token;

/// `(name: Type = default, ...)`.
pub(crate) fn params_parser<'t, I: TokenInput<'t>>(
    expr: P<'t, I, Expr>,
    ty: P<'t, I, TypeExpr>,
) -> P<'t, I, Vec<Param>> {
    ident()
        .then_ignore(just(Token::Colon))
        .then(ty)
        .then(just(Token::Eq).ignore_then(expr).or_not())
        .map_with(|((name, ty), default), e| Param {
            name,
            ty,
            default,
            span: e.span(),
        })
        .separated_by(just(Token::Comma))
        .allow_trailing()
        .collect::<Vec<Param>>()
        .delimited_by(just(Token::LParen), just(Token::RParen))
        .recover_with(via_parser(delimited_recovery(
            Token::LParen,
            Token::RParen,
            PARENS_OTHERS,
            |_| Vec::new(),
        )))
        .boxed()
}

/// `[pub] [virtual] [override] [mut] fn name<T>(params) [-> T] { body }`.
fn fn_decl_parser<'t, I: TokenInput<'t>>(c: &Core<'t, I>) -> P<'t, I, FnDecl> {
    let modifiers = just(Token::Pub)
        .or_not()
        .then(just(Token::Virtual).or_not())
        .then(just(Token::Override).or_not())
        .then(just(Token::Mut).or_not())
        .map(|(((p, v), o), m)| FnModifiers {
            is_pub: p.is_some(),
            is_virtual: v.is_some(),
            is_override: o.is_some(),
            is_mut: m.is_some(),
        });
    modifiers
        .then_ignore(just(Token::Fn))
        .then(ident())
        .then(generics_parser())
        .then(params_parser(c.expr.clone(), c.ty.clone()))
        .then(just(Token::Arrow).ignore_then(c.ty.clone()).or_not())
        .then(c.block.clone())
        .map_with(
            |(((((modifiers, name), generics), params), ret), body), e| FnDecl {
                modifiers,
                name,
                generics,
                params,
                ret,
                body,
                span: e.span(),
            },
        )
        .boxed()
}

/// `[pub] init(params) [-> Name] { body }`, as a function named `init`.
fn init_parser<'t, I: TokenInput<'t>>(c: &Core<'t, I>) -> P<'t, I, FnDecl> {
    just(Token::Pub)
        .or_not()
        .then(just(Token::Init).map_with(|_, e| Ident {
            name: "init".to_string(),
            span: e.span(),
        }))
        .then(params_parser(c.expr.clone(), c.ty.clone()))
        .then(just(Token::Arrow).ignore_then(c.ty.clone()).or_not())
        .then(c.block.clone())
        .map_with(|((((is_pub, name), params), ret), body), e| FnDecl {
            modifiers: FnModifiers {
                is_pub: is_pub.is_some(),
                ..FnModifiers::default()
            },
            name,
            generics: Vec::new(),
            params,
            ret,
            body,
            span: e.span(),
        })
        .boxed()
}

/// A member of a class or enum body.
#[derive(Clone)]
enum Member {
    Field(FieldDecl),
    Variant(VariantDecl),
    Method(FnDecl),
    Init(FnDecl),
    Error,
}

fn class_parser<'t, I: TokenInput<'t>>(
    c: &Core<'t, I>,
    func: P<'t, I, FnDecl>,
) -> P<'t, I, ItemKind> {
    let field = just(Token::Pub)
        .or_not()
        .then(choice((
            just(Token::Let).to(false),
            just(Token::Var).to(true),
        )))
        .then(ident())
        .then_ignore(just(Token::Colon))
        .then(c.ty.clone())
        .then_ignore(just(Token::Semi))
        .map_with(|(((is_pub, mutable), name), ty), e| {
            Member::Field(FieldDecl {
                is_pub: is_pub.is_some(),
                mutable,
                name,
                ty,
                span: e.span(),
            })
        });
    let member = choice((
        field.boxed(),
        init_parser(c).map(Member::Init).boxed(),
        func.map(Member::Method).boxed(),
    ))
    .labelled("class member")
    .recover_with(via_parser(
        skip_recovery(vec![Token::RBrace], MEMBER_STARTS.to_vec(), true).to(Member::Error),
    ));
    just(Token::Class)
        .ignore_then(ident())
        .then(generics_parser())
        .then(just(Token::Colon).ignore_then(c.ty.clone()).or_not())
        .then(
            member
                .repeated()
                .collect::<Vec<Member>>()
                .delimited_by(just(Token::LBrace), just(Token::RBrace)),
        )
        .map(|(((name, generics), parent), members)| {
            let mut class = ClassDecl {
                name,
                generics,
                parent,
                fields: Vec::new(),
                methods: Vec::new(),
                inits: Vec::new(),
            };
            for m in members {
                match m {
                    Member::Field(f) => class.fields.push(f),
                    Member::Method(f) => class.methods.push(f),
                    Member::Init(f) => class.inits.push(f),
                    Member::Variant(_) | Member::Error => {}
                }
            }
            ItemKind::Class(class)
        })
        .boxed()
}

fn enum_parser<'t, I: TokenInput<'t>>(
    c: &Core<'t, I>,
    func: P<'t, I, FnDecl>,
) -> P<'t, I, ItemKind> {
    let variant = ident()
        .then(
            c.ty.clone()
                .separated_by(just(Token::Comma))
                .allow_trailing()
                .collect::<Vec<TypeExpr>>()
                .delimited_by(just(Token::LParen), just(Token::RParen))
                .or_not(),
        )
        .map_with(|(name, fields), e| VariantDecl {
            name,
            fields: fields.unwrap_or_default(),
            span: e.span(),
        })
        .then_ignore(just(Token::Comma).or_not())
        .map(Member::Variant);
    let mut stops = MEMBER_STARTS.to_vec();
    stops.push(Token::Comma);
    let member = choice((variant.boxed(), func.map(Member::Method).boxed()))
        .labelled("enum variant")
        .recover_with(via_parser(
            skip_recovery(vec![Token::RBrace], stops, false)
                .then(just(Token::Comma).or_not())
                .to(Member::Error),
        ));
    just(Token::Enum)
        .ignore_then(ident())
        .then(generics_parser())
        .then(
            member
                .repeated()
                .collect::<Vec<Member>>()
                .delimited_by(just(Token::LBrace), just(Token::RBrace)),
        )
        .map(|((name, generics), members)| {
            let mut decl = EnumDecl {
                name,
                generics,
                variants: Vec::new(),
                methods: Vec::new(),
            };
            for m in members {
                match m {
                    Member::Variant(v) => decl.variants.push(v),
                    Member::Method(f) => decl.methods.push(f),
                    Member::Field(_) | Member::Init(_) | Member::Error => {}
                }
            }
            ItemKind::Enum(decl)
        })
        .boxed()
}

/// One item, or `None` when it had to be skipped (already reported).
fn item_parser<'t, I: TokenInput<'t>>() -> P<'t, I, Option<Item>> {
    let c = core();
    let func = fn_decl_parser(&c);

    let alias = |kw: Token| {
        just(kw)
            .ignore_then(ident())
            .then_ignore(just(Token::Eq))
            .then(c.ty.clone())
            .then_ignore(just(Token::Semi))
    };
    let type_alias = alias(Token::Type).map(|(name, ty)| ItemKind::TypeAlias { name, ty });
    let newtype = alias(Token::Newtype).map(|(name, ty)| ItemKind::Newtype { name, ty });
    let fn_block = |kw: Token| {
        just(kw).ignore_then(ident()).then(
            func.clone()
                .repeated()
                .collect::<Vec<FnDecl>>()
                .delimited_by(just(Token::LBrace), just(Token::RBrace)),
        )
    };
    let test = fn_block(Token::Test).map(|(name, fns)| ItemKind::Test { name, fns });
    let bench = fn_block(Token::Bench).map(|(name, fns)| ItemKind::Bench { name, fns });

    let other = just(Token::Pub).or_not().then(choice((
        class_parser(&c, func.clone()),
        enum_parser(&c, func.clone()),
        type_alias.boxed(),
        newtype.boxed(),
        test.boxed(),
        bench.boxed(),
    )));

    let fn_item = func.map(|f| (f.modifiers.is_pub, ItemKind::Fn(f)));
    let other_item = other.map(|(is_pub, kind)| (is_pub.is_some(), kind));
    choice((fn_item.boxed(), other_item.boxed()))
        .map_with(|(is_pub, kind), e| {
            Some(Item {
                is_pub,
                kind,
                span: e.span(),
            })
        })
        .labelled("item")
        .recover_with(via_parser(
            skip_recovery(Vec::new(), ITEM_STARTS.to_vec(), false).to(None),
        ))
        .boxed()
}

/// A whole file.
pub(crate) fn module_parser<'t, I: TokenInput<'t>>() -> P<'t, I, Module> {
    let mod_decl = just(Token::Mod)
        .ignore_then(module_path())
        .then_ignore(just(Token::Semi));
    let use_decl = just(Token::Use)
        .ignore_then(module_path())
        .then_ignore(just(Token::Semi));
    mod_decl
        .or_not()
        .then(use_decl.repeated().collect::<Vec<_>>())
        .then(item_parser().repeated().collect::<Vec<Option<Item>>>())
        .then_ignore(end())
        .map(|((mod_decl, uses), items)| Module {
            mod_decl,
            uses,
            items: items.into_iter().flatten().collect(),
        })
        .boxed()
}
