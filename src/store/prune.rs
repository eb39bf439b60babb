//! Forgetting what no longer matters: services gone from scope, stopped tasks no service lists,
//! old log streams.

use super::*;

impl Store {
    /// Forget what no service in the store references: task definitions no deployment runs,
    /// target groups no service is behind, and stopped tasks no service lists that stopped over
    /// an hour ago (kept that long for services not described yet). A long session's memory
    /// then follows the services watched, not the hours watched. Runs with the full diagnosis.
    pub fn prune(&mut self, now: Time) {
        let mut tds: HashSet<&str> = HashSet::new();
        let mut tgs: HashSet<&str> = HashSet::new();
        let mut rules: HashSet<&str> = HashSet::new();
        let mut lattice: HashSet<&str> = HashSet::new();
        let mut tasks: HashSet<&str> = HashSet::new();
        for st in self.services.values() {
            tds.extend(st.service.task_definitions());
            tgs.extend(st.service.group_arns());
            rules.extend(st.service.listener_rules());
            lattice.extend(
                st.service
                    .lattice_groups()
                    .into_iter()
                    .map(|l| l.target_group_arn.as_str()),
            );
            tasks.extend(st.stopped.iter().map(String::as_str));
        }
        // a stopped task's own task definition is shown in its detail: keep it with the task
        let cutoff = now - chrono::Duration::seconds(UNREFERENCED_TASK_KEPT_S);
        // (one without a stop time is still stopping: it is described again, and kept)
        let forget: HashSet<String> = self
            .stopped_tasks
            .values()
            .filter(|t| !tasks.contains(t.arn.as_str()))
            .filter(|t| t.stopped_at.or(t.stopping_at).is_some_and(|at| at < cutoff))
            .map(|t| t.arn.clone())
            .collect();
        for t in self.stopped_tasks.values() {
            if !forget.contains(&t.arn) {
                tds.insert(t.task_definition.as_str());
            }
        }
        let tds: HashSet<String> = tds.into_iter().map(str::to_owned).collect();
        let tgs: HashSet<String> = tgs.into_iter().map(str::to_owned).collect();
        let rules: HashSet<String> = rules.into_iter().map(str::to_owned).collect();
        self.rules.retain(|arn, _| rules.contains(arn));
        let lattice: HashSet<String> = lattice.into_iter().map(str::to_owned).collect();
        self.lattice.retain(|arn, _| lattice.contains(arn));
        self.task_definitions.retain(|arn, _| tds.contains(arn));
        self.target_groups.retain(|arn, _| tgs.contains(arn));
        if !forget.is_empty() {
            let finals = Arc::make_mut(&mut self.final_tasks);
            for arn in &forget {
                self.stopped_tasks.remove(arn);
                finals.remove(arn);
                if self.task_logs.remove(arn).is_some() {
                    self.task_logs_order.retain(|a| a != arn);
                }
            }
        }
        // container instances no task held runs on (or ran on) any more
        let hosts: HashSet<String> = self
            .stopped_tasks
            .values()
            .chain(self.services.values().flat_map(|s| s.running.iter()))
            .filter_map(|t| t.container_instance_arn.clone())
            .collect();
        self.container_instances
            .retain(|arn, _| hosts.contains(arn));
    }
}
