//! Errors from any source, classified so the UI can say what happened and what to do.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// ThrottlingException, Rate exceeded: back off and retry.
    Throttled,
    /// AccessDenied: the credentials lack a permission.
    AccessDenied,
    /// ExpiredToken, an SSO session that is over: renew credentials.
    ExpiredCredentials,
    /// No credentials could be loaded at all.
    NoCredentials,
    /// AWS does not recognise the credentials (a revoked key, a wrong secret).
    BadCredentials,
    /// The cluster, service, target group or log group does not exist.
    NotFound,
    /// The endpoint could not be reached (DNS, connect, timeout).
    Unreachable,
    /// AWS answered with a server error.
    Server,
    /// The request was invalid (a bug in ecswatch or an unexpected argument).
    Invalid,
    Other,
}

impl ErrorKind {
    pub fn label(self) -> &'static str {
        match self {
            ErrorKind::Throttled => "throttled",
            ErrorKind::AccessDenied => "access denied",
            ErrorKind::ExpiredCredentials => "credentials expired",
            ErrorKind::NoCredentials => "no credentials",
            ErrorKind::BadCredentials => "credentials rejected",
            ErrorKind::NotFound => "not found",
            ErrorKind::Unreachable => "unreachable",
            ErrorKind::Server => "server error",
            ErrorKind::Invalid => "invalid request",
            ErrorKind::Other => "error",
        }
    }

    /// The credentials are the problem: the user must renew or fix them (the banner says how).
    pub fn is_credentials(self) -> bool {
        matches!(
            self,
            ErrorKind::ExpiredCredentials | ErrorKind::NoCredentials | ErrorKind::BadCredentials
        )
    }

    /// Worth retrying on the next cycle without a change by the user.
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            ErrorKind::Throttled | ErrorKind::Unreachable | ErrorKind::Server
        )
    }
}

/// A failed AWS call: which operation, what kind of failure, and AWS's (sanitized) message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ApiError {
    pub kind: ErrorKind,
    /// e.g. `ecs:DescribeServices`
    pub operation: &'static str,
    pub code: Option<String>,
    pub message: String,
    /// What the call was about, when it was about one thing: a log group, a target group ARN.
    /// A pane shows only the errors about its own service's resources.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
}

impl ApiError {
    pub fn new(kind: ErrorKind, operation: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind,
            operation,
            code: None,
            message: message.into(),
            resource: None,
        }
    }

    /// The same error, about `resource` (a log group, a target group ARN).
    pub fn about(mut self, resource: impl Into<String>) -> Self {
        self.resource = Some(crate::sanitize::clean(&resource.into()));
        self
    }

    /// Whether the error concerns one of `resources`; errors about nothing in particular
    /// (a listing, a batch, expired credentials) concern everything.
    pub fn concerns<'a>(&self, mut resources: impl Iterator<Item = &'a str>) -> bool {
        match &self.resource {
            None => true,
            Some(r) => resources.any(|x| x == r),
        }
    }

    /// Classify an AWS error code (and HTTP status when there is no code).
    pub fn from_code(
        operation: &'static str,
        code: Option<&str>,
        status: Option<u16>,
        message: &str,
    ) -> Self {
        let kind = match code {
            Some(c) => kind_of_code(c),
            None => match status {
                Some(403) => ErrorKind::AccessDenied,
                Some(429) => ErrorKind::Throttled,
                Some(404) => ErrorKind::NotFound,
                Some(s) if s >= 500 => ErrorKind::Server,
                Some(s) if s >= 400 => ErrorKind::Invalid,
                _ => ErrorKind::Other,
            },
        };
        let kind = match (kind, status) {
            (ErrorKind::Other, Some(s)) if s >= 500 => ErrorKind::Server,
            (k, _) => k,
        };
        Self {
            kind,
            operation,
            code: code.map(crate::sanitize::clean),
            message: crate::sanitize::clean(message),
            resource: None,
        }
    }
}

fn kind_of_code(code: &str) -> ErrorKind {
    match code {
        "ThrottlingException"
        | "Throttling"
        | "ThrottledException"
        | "TooManyRequestsException"
        | "RequestLimitExceeded"
        | "RequestThrottled"
        | "RequestThrottledException"
        | "SlowDown"
        | "LimitExceededException" => ErrorKind::Throttled,
        "AccessDeniedException"
        | "AccessDenied"
        | "UnauthorizedOperation"
        | "UnauthorizedException"
        | "AuthorizationError" => ErrorKind::AccessDenied,
        "ExpiredTokenException" | "ExpiredToken" | "RequestExpired" | "TokenRefreshRequired" => {
            ErrorKind::ExpiredCredentials
        }
        "UnrecognizedClientException"
        | "InvalidClientTokenId"
        | "InvalidSignatureException"
        | "SignatureDoesNotMatch"
        | "IncompleteSignature" => ErrorKind::BadCredentials,
        "MissingAuthenticationToken" => ErrorKind::NoCredentials,
        "ClusterNotFoundException"
        | "ServiceNotFoundException"
        | "ServiceNotActiveException"
        | "TargetGroupNotFound"
        | "TargetGroupNotFoundException"
        | "LoadBalancerNotFound"
        | "ResourceNotFoundException"
        | "ResourceNotFound" => ErrorKind::NotFound,
        "ServerException"
        | "InternalFailure"
        | "InternalError"
        | "ServiceUnavailable"
        | "ServiceUnavailableException"
        | "InternalServiceError"
        | "InternalServiceFault" => ErrorKind::Server,
        "InvalidParameterException"
        | "InvalidParameterValue"
        | "ValidationError"
        | "ValidationException"
        | "InvalidParameterCombination"
        | "MissingParameter" => ErrorKind::Invalid,
        _ => ErrorKind::Other,
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.operation, self.kind.label())?;
        if let Some(code) = &self.code {
            write!(f, " ({code})")?;
        }
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        if let Some(r) = &self.resource {
            write!(f, " [{r}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_classify() {
        let k = |c| ApiError::from_code("ecs:X", Some(c), Some(400), "m").kind;
        assert_eq!(k("ThrottlingException"), ErrorKind::Throttled);
        assert_eq!(k("AccessDeniedException"), ErrorKind::AccessDenied);
        assert_eq!(k("ExpiredTokenException"), ErrorKind::ExpiredCredentials);
        assert_eq!(k("ClusterNotFoundException"), ErrorKind::NotFound);
        assert_eq!(k("ClientException"), ErrorKind::Other);
        assert_eq!(
            ApiError::from_code("ecs:X", None, Some(503), "").kind,
            ErrorKind::Server
        );
        assert_eq!(
            ApiError::from_code("ecs:X", Some("Weird"), Some(502), "").kind,
            ErrorKind::Server
        );
    }

    #[test]
    fn display_names_operation_and_code() {
        let e = ApiError::from_code(
            "ecs:DescribeServices",
            Some("AccessDeniedException"),
            Some(400),
            "no",
        );
        assert_eq!(
            e.to_string(),
            "ecs:DescribeServices: access denied (AccessDeniedException): no"
        );
    }
}

/// Every operation ecswatch calls, so a recorded error's operation can be read back as a
/// `&'static str` (recordings are untrusted input: anything else reads as `unknown`).
pub const OPERATIONS: &[&str] = &[
    "ecs:ListClusters",
    "ecs:ListServices",
    "ecs:DescribeServices",
    "ecs:ListTasks",
    "ecs:DescribeTasks",
    "ecs:DescribeTaskDefinition",
    "ecs:ListTaskDefinitions",
    "ecs:UpdateService",
    "ecs:StopTask",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTargetGroupAttributes",
    "elasticloadbalancing:DescribeTargetHealth",
    "cloudwatch:GetMetricData",
    "logs:FilterLogEvents",
];

/// An [`ApiError`] as read back from a recording (the operation as an owned string).
#[derive(serde::Deserialize)]
struct RecordedError {
    kind: ErrorKind,
    operation: String,
    code: Option<String>,
    message: String,
    #[serde(default)]
    resource: Option<String>,
}

impl<'de> serde::Deserialize<'de> for ApiError {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <RecordedError as serde::Deserialize>::deserialize(d).map(Self::from)
    }
}

impl From<RecordedError> for ApiError {
    fn from(r: RecordedError) -> Self {
        Self {
            kind: r.kind,
            operation: OPERATIONS
                .iter()
                .copied()
                .find(|o| *o == r.operation)
                .unwrap_or("unknown"),
            code: r.code,
            message: r.message,
            resource: r.resource,
        }
    }
}
