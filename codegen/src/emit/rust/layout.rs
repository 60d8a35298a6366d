//! Printing tokens as a Rust file people read: `prettyplease` lays out the
//! code but prints items back to back, so the emitters say where a blank
//! line belongs with [`blank_line`], and [`rust_file`] turns each of those
//! markers into an empty line. Nothing else touches the printed text.

use proc_macro2::TokenStream;
use quote::quote;

/// The marker's name: a macro call no generated code makes.
const MARKER: &str = "__mobileconfig_blank_line";

/// A blank line here (between items, or between the items of an `impl` or
/// a module).
pub fn blank_line() -> TokenStream {
    let marker = proc_macro2::Ident::new(MARKER, proc_macro2::Span::call_site());
    quote!(#marker!();)
}

/// Items with a blank line between each two.
pub fn separated(items: impl IntoIterator<Item = TokenStream>) -> TokenStream {
    let mut out = TokenStream::new();
    for (index, item) in items.into_iter().enumerate() {
        if item.is_empty() {
            continue;
        }
        if index > 0 && !out.is_empty() {
            out.extend(blank_line());
        }
        out.extend(item);
    }
    out
}

/// The file: `header` (plain comment lines), a blank line, then the tokens
/// laid out. Tokens that are not Rust are a bug in an emitter, reported as
/// such in the file rather than by a panic.
pub fn rust_file(header: &str, tokens: TokenStream) -> String {
    let code = match syn::parse2::<syn::File>(tokens) {
        Ok(syntax) => prettyplease::unparse(&syntax),
        Err(error) => {
            return format!(
                "{header}\ncompile_error!(\"the generator built tokens that are not Rust: {}\");\n",
                error.to_string().escape_default()
            );
        }
    };
    let marker_line = format!("{MARKER}!();");
    let mut out = String::with_capacity(header.len() + code.len() + 1);
    out.push_str(header);
    out.push('\n');
    for line in code.lines() {
        if line.trim() != marker_line {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_become_blank_lines_and_nothing_else_changes() {
        let items = separated([
            quote!(
                pub struct A;
            ),
            quote!(),
            quote!(
                pub struct B;
            ),
        ]);
        let inner = separated([
            quote!(
                fn a() {}
            ),
            quote!(
                fn b() {}
            ),
        ]);
        let text = rust_file(
            "// header",
            quote! {
                #items
                impl B { #inner }
            },
        );
        assert_eq!(
            text,
            "// header\npub struct A;\n\npub struct B;\nimpl B {\n    fn a() {}\n\n    fn b() {}\n}\n"
        );
    }

    #[test]
    fn tokens_that_are_not_rust_become_a_compile_error() {
        let text = rust_file("// header", quote!(pub struct));
        assert!(text.contains("compile_error!"), "{text}");
    }
}
