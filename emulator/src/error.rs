//! The errors DynamoDB answers with. Every failure in the emulator is one of
//! these; the protocol layer turns it into `{"__type": ..., "message": ...}`.

use serde_json::{json, Value};
use std::fmt;

/// Namespace prefixes DynamoDB uses in `__type`.
const DYNAMODB_NS: &str = "com.amazonaws.dynamodb.v20120810#";
const CORAL_VALIDATE_NS: &str = "com.amazon.coral.validate#";
const CORAL_SERVICE_NS: &str = "com.amazon.coral.service#";

#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub kind: ErrorKind,
    pub message: String,
    /// Extra top-level fields (`Item` of a failed condition, `CancellationReasons`).
    pub extra: Option<Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    Validation,
    Serialization,
    UnknownOperation,
    ResourceNotFound,
    ResourceInUse,
    ConditionalCheckFailed,
    /// PartiQL: an INSERT of a key that exists.
    DuplicateItem,
    /// No resource-based policy (or not the revision expected).
    PolicyNotFound,
    BackupNotFound,
    /// A backup still feeding a restore.
    BackupInUse,
    /// Backups and restores: the table named does not exist.
    TableNotFound,
    /// A restore's target table exists.
    TableAlreadyExists,
    /// A restore's target table is being created or deleted.
    TableInUse,
    /// RestoreTableToPointInTime on a table without point-in-time recovery.
    PointInTimeRecoveryUnavailable,
    /// A point in time outside the table's restorable window.
    InvalidRestoreTime,
    /// DescribeExport of an ARN no export has.
    ExportNotFound,
    /// DescribeImport of an ARN no import has.
    ImportNotFound,
    /// An ExportTime (or incremental window) outside the point-in-time recovery window.
    InvalidExportTime,
    /// A ClientToken reused with other parameters (exports).
    ExportConflict,
    /// A ClientToken reused with other parameters (imports).
    ImportConflict,
    TransactionCanceled,
    TransactionConflict,
    TransactionInProgress,
    IdempotentParameterMismatch,
    ItemCollectionSizeLimitExceeded,
    LimitExceeded,
    ProvisionedThroughputExceeded,
    Throttling,
    /// The server's own limit: a request body that did not arrive in time.
    RequestTimeout,
    RequestLimitExceeded,
    MissingAuthenticationToken,
    /// SigV4: an Authorization header or query string missing parts, or malformed.
    IncompleteSignature,
    /// SigV4: a signature that does not verify, is out of date, or a scope that does not fit.
    InvalidSignature,
    /// SigV4: an access key (or session token) the emulator does not know.
    UnrecognizedClient,
    /// The caller may not act on the resource (tagging: an ARN of no table's shape).
    AccessDenied,
    InternalServerError,
    ServiceUnavailable,
    /// Streams: a shard iterator older than 15 minutes.
    ExpiredIterator,
    /// Streams: records before the trim horizon asked for.
    TrimmedDataAccess,
    /// Global tables version 2017.11.29 (Legacy): no such global table.
    GlobalTableNotFound,
}

impl ErrorKind {
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Validation => "ValidationException",
            ErrorKind::Serialization => "SerializationException",
            ErrorKind::UnknownOperation => "UnknownOperationException",
            ErrorKind::ResourceNotFound => "ResourceNotFoundException",
            ErrorKind::ResourceInUse => "ResourceInUseException",
            ErrorKind::ConditionalCheckFailed => "ConditionalCheckFailedException",
            ErrorKind::DuplicateItem => "DuplicateItemException",
            ErrorKind::PolicyNotFound => "PolicyNotFoundException",
            ErrorKind::BackupNotFound => "BackupNotFoundException",
            ErrorKind::BackupInUse => "BackupInUseException",
            ErrorKind::TableNotFound => "TableNotFoundException",
            ErrorKind::TableAlreadyExists => "TableAlreadyExistsException",
            ErrorKind::TableInUse => "TableInUseException",
            ErrorKind::PointInTimeRecoveryUnavailable => "PointInTimeRecoveryUnavailableException",
            ErrorKind::InvalidRestoreTime => "InvalidRestoreTimeException",
            ErrorKind::ExportNotFound => "ExportNotFoundException",
            ErrorKind::ImportNotFound => "ImportNotFoundException",
            ErrorKind::InvalidExportTime => "InvalidExportTimeException",
            ErrorKind::ExportConflict => "ExportConflictException",
            ErrorKind::ImportConflict => "ImportConflictException",
            ErrorKind::TransactionCanceled => "TransactionCanceledException",
            ErrorKind::TransactionConflict => "TransactionConflictException",
            ErrorKind::TransactionInProgress => "TransactionInProgressException",
            ErrorKind::IdempotentParameterMismatch => "IdempotentParameterMismatchException",
            ErrorKind::ItemCollectionSizeLimitExceeded => "ItemCollectionSizeLimitExceededException",
            ErrorKind::LimitExceeded => "LimitExceededException",
            ErrorKind::ProvisionedThroughputExceeded => "ProvisionedThroughputExceededException",
            ErrorKind::Throttling => "ThrottlingException",
            ErrorKind::RequestTimeout => "RequestTimeoutException",
            ErrorKind::RequestLimitExceeded => "RequestLimitExceeded",
            ErrorKind::MissingAuthenticationToken => "MissingAuthenticationTokenException",
            ErrorKind::IncompleteSignature => "IncompleteSignatureException",
            ErrorKind::InvalidSignature => "InvalidSignatureException",
            ErrorKind::UnrecognizedClient => "UnrecognizedClientException",
            ErrorKind::AccessDenied => "AccessDeniedException",
            ErrorKind::InternalServerError => "InternalServerError",
            ErrorKind::ServiceUnavailable => "ServiceUnavailableException",
            ErrorKind::ExpiredIterator => "ExpiredIteratorException",
            ErrorKind::TrimmedDataAccess => "TrimmedDataAccessException",
            ErrorKind::GlobalTableNotFound => "GlobalTableNotFoundException",
        }
    }

    fn namespace(self) -> &'static str {
        match self {
            ErrorKind::Validation => CORAL_VALIDATE_NS,
            ErrorKind::Serialization
            | ErrorKind::MissingAuthenticationToken
            | ErrorKind::IncompleteSignature
            | ErrorKind::InvalidSignature
            | ErrorKind::UnrecognizedClient
            | ErrorKind::AccessDenied
            | ErrorKind::Throttling
            | ErrorKind::RequestTimeout
            | ErrorKind::ServiceUnavailable => CORAL_SERVICE_NS,
            _ => DYNAMODB_NS,
        }
    }

    pub fn status(self) -> u16 {
        match self {
            ErrorKind::InternalServerError => 500,
            ErrorKind::ServiceUnavailable => 503,
            _ => 400,
        }
    }
}

impl ApiError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> ApiError {
        ApiError { kind, message: message.into(), extra: None }
    }

    pub fn validation(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorKind::Validation, message)
    }

    pub fn serialization(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorKind::Serialization, message)
    }

    /// DynamoDB's answer for any data-plane operation on a missing table.
    pub fn table_not_found() -> ApiError {
        ApiError::new(ErrorKind::ResourceNotFound, "Requested resource not found")
    }

    pub fn with_extra(mut self, extra: Value) -> ApiError {
        self.extra = Some(extra);
        self
    }

    /// The `__type` field of the error body.
    pub fn type_name(&self) -> String {
        format!("{}{}", self.kind.namespace(), self.kind.name())
    }

    pub fn to_json(&self) -> Value {
        let mut body = json!({ "__type": self.type_name() });
        if !self.message.is_empty() {
            body["message"] = Value::String(self.message.clone());
        }
        if let (Some(Value::Object(extra)), Value::Object(map)) = (&self.extra, &mut body) {
            for (k, v) in extra {
                map.insert(k.clone(), v.clone());
            }
        }
        body
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.name(), self.message)
    }
}

impl std::error::Error for ApiError {}

pub type ApiResult<T> = Result<T, ApiError>;
