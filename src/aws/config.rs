//! Loading AWS configuration the way the AWS CLI does: the default credential chain (environment,
//! shared config and credentials files, SSO, assume-role, web identity, container and instance
//! metadata), `--profile`, `--region`, `--endpoint-url` / `AWS_ENDPOINT_URL`.

use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use std::time::Duration;

#[derive(Debug, Clone, Default)]
pub struct AwsOptions {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
}

pub async fn load_sdk_config(opts: &AwsOptions) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(p) = &opts.profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = &opts.region {
        loader = loader.region(aws_config::Region::new(r.clone()));
    }
    // AWS_ENDPOINT_URL is read by the loader itself; the flag wins over it.
    if let Some(u) = &opts.endpoint_url {
        loader = loader.endpoint_url(u);
    }
    // One attempt per SDK call: `metered::Counted` tries a read again itself, drawing each
    // attempt from the budget, so every throttled answer lowers ecswatch's rate (the SDK's own
    // retry would hide throttled attempts the account still counted).
    loader = loader.retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(1));
    // Bounded waits: an incident console must not hang on a dead link.
    loader = loader.timeout_config(
        TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(3))
            .operation_attempt_timeout(Duration::from_secs(10))
            .operation_timeout(Duration::from_secs(30))
            .build(),
    );
    let config = loader.load().await;
    match &opts.profile {
        // A named profile gives the credentials, as `aws --profile` does: the default chain
        // would take AWS_ACCESS_KEY_ID from the environment first, so every profile of a
        // room would read the same account.
        Some(p) => {
            let provider = aws_config::profile::ProfileFileCredentialsProvider::builder()
                .profile_name(p)
                .configure(
                    &aws_config::provider_config::ProviderConfig::default()
                        .with_region(config.region().cloned()),
                )
                .build();
            config
                .to_builder()
                .credentials_provider(aws_sdk_ecs::config::SharedCredentialsProvider::new(
                    provider,
                ))
                .build()
        }
        None => config,
    }
}
