//! Filling a confirm command template with this incident's names.

use crate::model::short_name;

/// Values for the placeholders of confirm commands. Missing ones become `<name>`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConfirmContext {
    pub cluster: Option<String>,
    pub service: Option<String>,
    pub region: Option<String>,
    /// The profile of the target the service is in, when one was named: `{region}` becomes
    /// `REGION --profile PROFILE`, so a command confirms in the right account (every template
    /// ends in `--region {region}`).
    pub profile: Option<String>,
    pub task: Option<String>,
    pub task_definition: Option<String>,
    pub target_group: Option<String>,
    pub log_group: Option<String>,
    pub image: Option<String>,
    pub execution_role: Option<String>,
    pub task_role: Option<String>,
    pub subnets: Vec<String>,
    /// The service deployment the evidence came from, and the alarm that fired in it.
    pub service_deployment: Option<String>,
    pub alarm: Option<String>,
    /// A blue/green load balancer's production listener rule (or listener).
    pub listener_rule: Option<String>,
    /// A VPC Lattice target group.
    pub lattice_group: Option<String>,
    /// A container instance (its ARN).
    pub container_instance: Option<String>,
    /// A service revision (its ARN).
    pub service_revision: Option<String>,
    /// A container (its name in the task definition).
    pub container: Option<String>,
}

impl ConfirmContext {
    /// Replace every `{name}` in `template`. Values are quoted for a POSIX shell when needed.
    pub fn fill(&self, template: &str) -> String {
        let (repo, tag) = self
            .image
            .as_deref()
            .map(split_image)
            .unwrap_or((None, None));
        let mut out = String::with_capacity(template.len() + 64);
        let mut rest = template;
        while let Some(start) = rest.find('{') {
            let Some(len) = rest[start..].find('}') else {
                break;
            };
            let name = &rest[start + 1..start + len];
            let value: Option<String> = match name {
                "cluster" => self.cluster.clone(),
                "service" => self.service.clone(),
                "region" => {
                    let region = self.region.clone().filter(|r| !r.is_empty());
                    match (region, self.profile.as_deref().filter(|p| !p.is_empty())) {
                        (Some(r), Some(p)) => {
                            out.push_str(&rest[..start]);
                            out.push_str(&shell_word(&r));
                            out.push_str(" --profile ");
                            out.push_str(&shell_word(p));
                            rest = &rest[start + len + 1..];
                            continue;
                        }
                        (r, _) => r,
                    }
                }
                "task" => self.task.clone(),
                "task_definition" => self.task_definition.clone(),
                "target_group" => self.target_group.clone(),
                "log_group" => self.log_group.clone(),
                "image" => self.image.clone(),
                "image_repo" => repo.clone(),
                "image_tag" => tag.clone(),
                "execution_role" => self.execution_role.clone(),
                "task_role_name" => self.task_role.as_deref().map(|a| short_name(a).to_string()),
                "subnets" => (!self.subnets.is_empty()).then(|| self.subnets.join(",")),
                "service_deployment" => self.service_deployment.clone(),
                "alarm" => self.alarm.clone(),
                "listener_rule" => self.listener_rule.clone(),
                "lattice_group" => self.lattice_group.clone(),
                "container_instance" => self.container_instance.clone(),
                "service_revision" => self.service_revision.clone(),
                "container" => self.container.clone(),
                "task_id" => self.task.as_deref().map(|a| short_name(a).to_string()),
                _ => {
                    // not a placeholder (e.g. a JMESPath `{name:name}`): keep as is
                    out.push_str(&rest[..start + len + 1]);
                    rest = &rest[start + len + 1..];
                    continue;
                }
            };
            out.push_str(&rest[..start]);
            match value {
                Some(v) => out.push_str(&shell_word(&v)),
                None => {
                    out.push('<');
                    out.push_str(name);
                    out.push('>');
                }
            }
            rest = &rest[start + len + 1..];
        }
        out.push_str(rest);
        out
    }
}

/// Quote a value for a POSIX shell unless it is made only of safe characters.
pub fn shell_word(v: &str) -> String {
    if !v.is_empty()
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@=,+".contains(c))
    {
        v.to_string()
    } else {
        format!("'{}'", v.replace('\'', "'\\''"))
    }
}

/// `123.dkr.ecr.us-east-1.amazonaws.com/team/app:v1` -> (`team/app`, `v1`) for ECR images;
/// other registries keep their path as the repository.
pub fn split_image(image: &str) -> (Option<String>, Option<String>) {
    let (name, digest) = match image.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (image, None),
    };
    let last_slash = name.rfind('/').map(|i| i + 1).unwrap_or(0);
    let (path, tag) = match name[last_slash..].rfind(':') {
        Some(i) => (&name[..last_slash + i], Some(&name[last_slash + i + 1..])),
        None => (name, None),
    };
    let repo = match path.split_once('/') {
        Some((host, r)) if host.contains('.') || host.contains(':') => r,
        _ => path,
    };
    let tag = tag
        .map(str::to_owned)
        .or_else(|| digest.is_none().then(|| "latest".to_string()));
    (Some(repo.to_string()), tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_named_profile_goes_with_the_region() {
        let ctx = ConfirmContext {
            cluster: Some("prod".into()),
            region: Some("eu-west-1".into()),
            profile: Some("prod eu".into()),
            ..Default::default()
        };
        assert_eq!(
            ctx.fill("aws ecs describe-clusters --clusters {cluster} --region {region}"),
            "aws ecs describe-clusters --clusters prod --region eu-west-1 --profile 'prod eu'"
        );
    }

    #[test]
    fn fills_and_marks_missing() {
        let ctx = ConfirmContext {
            cluster: Some("prod".into()),
            service: Some("checkout api".into()),
            region: Some("us-east-1".into()),
            ..Default::default()
        };
        assert_eq!(
            ctx.fill("aws ecs describe-services --cluster {cluster} --services {service} --region {region} --tasks {task}"),
            "aws ecs describe-services --cluster prod --services 'checkout api' --region us-east-1 --tasks <task>"
        );
        assert_eq!(
            ctx.fill("--query 'x[].{name:name}'"),
            "--query 'x[].{name:name}'"
        );
    }

    #[test]
    fn images() {
        assert_eq!(
            split_image("123.dkr.ecr.us-east-1.amazonaws.com/team/app:v1.2"),
            (Some("team/app".into()), Some("v1.2".into()))
        );
        assert_eq!(
            split_image("nginx"),
            (Some("nginx".into()), Some("latest".into()))
        );
        assert_eq!(
            split_image("localhost:5000/app"),
            (Some("app".into()), Some("latest".into()))
        );
        assert_eq!(split_image("app@sha256:abc"), (Some("app".into()), None));
    }
}
