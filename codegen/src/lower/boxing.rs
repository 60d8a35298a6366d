//! Recursive types: a field whose struct leads back to the field's own
//! struct through struct fields alone holds it in a `Box`. A collection in
//! between is indirection enough.

use std::collections::BTreeSet;

use crate::ir::{Shape, TypeDef, TypeId, TypeKind};

/// Sets [`boxed`](crate::ir::Field::boxed) on every field that needs it.
pub fn mark_boxed_fields(types: &mut [TypeDef]) {
    let direct = |def: &TypeDef| -> Vec<TypeId> {
        match &def.kind {
            TypeKind::Struct(def) => def
                .fields
                .iter()
                .filter_map(|field| match field.value.shape {
                    Shape::Struct(target) => Some(target),
                    _ => None,
                })
                .collect(),
            TypeKind::Enum(_) => Vec::new(),
        }
    };
    let edges: Vec<Vec<TypeId>> = types.iter().map(direct).collect();
    let reaches = |from: TypeId, to: TypeId| -> bool {
        let mut seen = BTreeSet::new();
        let mut pending = vec![from];
        while let Some(id) = pending.pop() {
            if id == to {
                return true;
            }
            if seen.insert(id) {
                pending.extend(edges[id.0].iter().copied());
            }
        }
        false
    };
    for (index, def) in types.iter_mut().enumerate() {
        let owner = TypeId(index);
        if let TypeKind::Struct(def) = &mut def.kind {
            for field in &mut def.fields {
                field.boxed =
                    matches!(field.value.shape, Shape::Struct(target) if reaches(target, owner));
            }
        }
    }
}
