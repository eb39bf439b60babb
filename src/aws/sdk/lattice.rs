//! VPC Lattice: the health of a Lattice target group's targets (ListTargets).

use super::{SdkApi, map_err};
use crate::aws::{ApiResult, Page};
use crate::model::LatticeTarget;
use crate::sanitize::clean;

impl SdkApi {
    pub(super) async fn lattice_list_targets(
        &self,
        group: &str,
        next: Option<String>,
    ) -> ApiResult<Page<LatticeTarget>> {
        let out = self
            .lattice()
            .list_targets()
            .target_group_identifier(group)
            .max_results(100)
            .set_next_token(next)
            .send()
            .await
            .map_err(|e| map_err("vpc-lattice:ListTargets", e))?;
        Ok(Page {
            items: out
                .items()
                .iter()
                .map(|t| LatticeTarget {
                    id: clean(t.id().unwrap_or_default()),
                    port: t.port(),
                    status: t.status().map(|s| clean(s.as_str())).unwrap_or_default(),
                    reason: t.reason_code().map(clean),
                })
                .collect(),
            next: out.next_token().map(clean).filter(|n| !n.is_empty()),
        })
    }
}
