//! STS: who the credentials are (GetCallerIdentity), and their expiry from the chain.

use super::{SdkApi, map_err, to_time};
use crate::aws::ApiResult;
use crate::model::CallerIdentity;
use crate::sanitize::clean;
use aws_credential_types::provider::ProvideCredentials;

impl SdkApi {
    pub(super) async fn sts_caller_identity(&self) -> ApiResult<CallerIdentity> {
        let out = self
            .sts()
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| map_err("sts:GetCallerIdentity", e))?;
        // the call succeeded, so the chain has credentials: ask them when they expire
        let expires = match self.clients().credentials {
            Some(p) => p
                .provide_credentials()
                .await
                .ok()
                .and_then(|c| c.expiry())
                .map(aws_smithy_types::DateTime::from)
                .and_then(|t| to_time(&t)),
            None => None,
        };
        Ok(CallerIdentity {
            account: clean(out.account().unwrap_or_default()),
            arn: clean(out.arn().unwrap_or_default()),
            expires,
        })
    }
}
