//! JSON Schema validation of payloads (draft 2020-12, via `jsonschema`).
//!
//! A [`SchemaValidator`] compiles its schema once; validating a payload returns
//! every error with the JSON pointer of the offending value. The generated
//! bindings derive their schemas with schemars and carry the documented limits.

use serde_json::Value;

use crate::validate::{ValidationError, ValidationErrors};

/// How strictly enumerations are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnumCheck {
    /// Values not in the documented list are errors.
    Strict,
    /// Any string is accepted where an enumeration is documented: WeChat Pay adds
    /// values without notice, and the generated enums keep unknown values.
    Open,
}

/// A schema that cannot be compiled, with what the compiler said.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid JSON Schema at {pointer:?}: {message}")]
pub struct SchemaError {
    /// JSON pointer of the offending part of the schema.
    pub pointer: String,
    /// What is wrong with it.
    pub message: String,
}

/// A compiled schema.
#[derive(Debug)]
pub struct SchemaValidator {
    validator: jsonschema::Validator,
}

impl SchemaValidator {
    /// Compiles a schema (draft 2020-12 unless it says otherwise). Remote
    /// references are not fetched.
    pub fn new(schema: &Value) -> Result<Self, SchemaError> {
        jsonschema::validator_for(schema)
            .map(|validator| SchemaValidator { validator })
            .map_err(|e| SchemaError {
                pointer: e.schema_path().as_str().to_owned(),
                message: e.to_string(),
            })
    }

    /// Every error of `instance`, each with its JSON pointer.
    pub fn validate(&self, instance: &Value, enums: EnumCheck) -> Result<(), ValidationErrors> {
        let errors: Vec<ValidationError> = self
            .validator
            .iter_errors(instance)
            .filter(|error| {
                enums == EnumCheck::Strict
                    || !matches!(
                        error.kind(),
                        jsonschema::error::ValidationErrorKind::Enum { .. }
                    )
            })
            .map(|error| ValidationError {
                pointer: error.instance_path().as_str().to_owned(),
                message: error.to_string(),
            })
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationErrors(errors))
        }
    }

    /// Whether `instance` is valid (strict enumerations).
    pub fn is_valid(&self, instance: &Value) -> bool {
        self.validator.is_valid(instance)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn errors_have_pointers_and_enums_can_be_open() {
        let schema = json!({
            "type": "object",
            "required": ["codes"],
            "properties": {
                "codes": {"type": "array", "maxItems": 2, "items": {"type": "string", "maxLength": 3}},
                "status": {"type": "string", "enum": ["A", "B"]}
            }
        });
        let validator = SchemaValidator::new(&schema).unwrap();
        let errors = validator
            .validate(
                &json!({"codes": ["a", "long", "b"], "status": "C"}),
                EnumCheck::Strict,
            )
            .unwrap_err();
        let mut pointers: Vec<_> = errors.0.iter().map(|e| e.pointer.as_str()).collect();
        pointers.sort();
        assert_eq!(pointers, ["/codes", "/codes/1", "/status"]);
        let errors = validator.validate(&json!({"codes": [], "status": "C"}), EnumCheck::Open);
        assert!(errors.is_ok(), "{errors:?}");
        let errors = validator.validate(&json!({}), EnumCheck::Open).unwrap_err();
        assert_eq!(errors.0[0].pointer, "");
    }

    #[test]
    fn a_broken_schema_is_a_typed_error_with_its_place() {
        let error = SchemaValidator::new(&json!({"properties": {"a": {"type": 12}}})).unwrap_err();
        assert!(error.pointer.contains("properties"), "{error:?}");
        assert!(
            error.to_string().starts_with("invalid JSON Schema at"),
            "{error}"
        );
    }
}
