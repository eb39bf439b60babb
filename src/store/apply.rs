//! Applying the pollers' updates: each source's answer merged into what the store holds, the
//! services whose findings must be recomputed marked dirty.

use super::*;

/// Keyed batches with their keys in target `t`.
fn in_place<V>(t: PlaceIx, batches: Vec<(ServiceKey, V)>) -> Vec<(ServiceKey, V)> {
    batches
        .into_iter()
        .map(|(k, v)| (ServiceKey { place: t, ..k }, v))
        .collect()
}

impl Store {
    /// Apply one poller update. Returns true when anything visible changed.
    pub fn apply(&mut self, update: Update) -> bool {
        let t = update.place;
        // an update of a target this store does not hold (a damaged recording) is dropped
        let Some(target) = self.places.get_mut(usize::from(t)) else {
            return false;
        };
        let status = target.status.entry(update.source).or_default();
        let mut changed =
            status.record(update.fetched_at, update.payload.is_some(), &update.errors);
        status.next_try = update.retry_at;
        if let Some(payload) = update.payload {
            changed |= match payload {
                Payload::Services {
                    services,
                    listed_clusters,
                    roster,
                    insights,
                } => {
                    for (cluster, on) in insights {
                        self.container_insights.insert((t, cluster), on);
                    }
                    let any = self.apply_services(
                        t,
                        services,
                        &listed_clusters,
                        roster,
                        update.fetched_at,
                    );
                    self.note_swaps(update.fetched_at);
                    any
                }
                Payload::StoppedTasks(tasks) => self.apply_stopped(t, tasks),
                Payload::TaskMetrics(read) => {
                    let mut any = false;
                    for (key, series) in read {
                        let key = ServiceKey { place: t, ..key };
                        let Some(state) = self.services.get_mut(&key) else {
                            continue;
                        };
                        let changed = state.task_metrics.series != series;
                        state.task_metrics = crate::model::TaskMetrics {
                            read_at: Some(update.fetched_at),
                            series,
                        };
                        if changed {
                            self.dirty.insert(key);
                            any = true;
                        }
                    }
                    any
                }
                Payload::ContainerInstances { found, gone } => {
                    let mut changed: HashSet<String> = HashSet::new();
                    for mut i in found {
                        i.place = t;
                        let same = self
                            .container_instances
                            .get(&i.arn)
                            .is_some_and(|(old, _)| *old == i);
                        if !same {
                            changed.insert(i.arn.clone());
                        }
                        self.container_instances
                            .insert(i.arn.clone(), (i, update.fetched_at));
                    }
                    for arn in gone {
                        if self.container_instances.remove(&arn).is_some() {
                            changed.insert(arn);
                        }
                    }
                    // an instance's counts change with every task placed on it: re-diagnose
                    // only the services whose tasks run (ran) there, not the fleet
                    self.dirty_hosted_on(&changed);
                    !changed.is_empty()
                }
                Payload::Scaling(read) => {
                    let mut any = false;
                    for (key, scaling) in read {
                        let key = ServiceKey { place: t, ..key };
                        if let Some(state) = self.services.get_mut(&key)
                            && let scaling = scaling.keeping(state.scaling.as_deref())
                            && state.scaling.as_deref() != Some(&scaling)
                        {
                            state.scaling = Some(Box::new(scaling));
                            self.dirty.insert(key);
                            any = true;
                        }
                    }
                    any
                }
                Payload::RunningTasks(read) => {
                    let mut any = false;
                    for (key, tasks) in read {
                        any |= self.apply_running(
                            ServiceKey { place: t, ..key },
                            tasks,
                            update.fetched_at,
                        );
                    }
                    any
                }
                Payload::TaskDefinitions(tds) => {
                    let any = !tds.is_empty();
                    for td in tds {
                        self.task_definitions.insert(td.arn.clone(), td);
                    }
                    // rare (each ARN once): simplest to re-diagnose everyone
                    self.dirty_all |= any;
                    any
                }
                Payload::TargetsRead {
                    described,
                    health,
                    rules,
                    lattice,
                } => {
                    let mut any = false;
                    for (arn, targets) in lattice {
                        if self.lattice.get(&arn).map(|(t, _)| t) != Some(&targets) {
                            any = true;
                            for (key, st) in self.services.iter() {
                                if st
                                    .service
                                    .lattice_groups()
                                    .iter()
                                    .any(|l| l.target_group_arn == arn)
                                {
                                    self.dirty.insert(key.clone());
                                }
                            }
                        }
                        self.lattice.insert(arn, (targets, update.fetched_at));
                    }
                    for r in rules {
                        let arn = r.arn.clone();
                        if self.rules.get(&arn).map(|(old, _)| old) != Some(&r) {
                            any = true;
                            self.dirty_all = true;
                        }
                        self.rules.insert(arn, (r, update.fetched_at));
                    }
                    if any {
                        self.note_swaps(update.fetched_at);
                    }
                    for (group, targets) in described {
                        any |= self.apply_target_health(
                            group.arn.clone(),
                            Some(group),
                            targets,
                            update.fetched_at,
                        );
                    }
                    for (arn, targets) in health {
                        any |= self.apply_target_health(arn, None, targets, update.fetched_at);
                    }
                    any
                }
                // keys are the update's target's (a target's pollers read only its own)
                Payload::Metrics(series) => self.apply_metrics(
                    series
                        .into_iter()
                        .map(|(k, m, p)| (ServiceKey { place: t, ..k }, m, p))
                        .collect(),
                ),
                Payload::LogsRead { services, tasks } => {
                    // every service listed was read without an error (with or without lines)
                    for (k, _) in &services {
                        let key = ServiceKey {
                            place: t,
                            ..k.clone()
                        };
                        if let Some(state) = self.services.get_mut(&key) {
                            state.logs_read_at = Some(update.fetched_at);
                        }
                    }
                    let mut any = self.apply_logs(in_place(t, services));
                    for (arn, mut lines) in tasks {
                        lines.sort_by_key(|l| l.t);
                        lines.truncate(LOG_LINES_KEPT);
                        if self.task_logs.insert(arn.clone(), lines).is_none() {
                            self.task_logs_order.push_back(arn);
                            while self.task_logs_order.len() > TASK_LOGS_KEPT {
                                if let Some(old) = self.task_logs_order.pop_front() {
                                    self.task_logs.remove(&old);
                                }
                            }
                        }
                        any = true;
                    }
                    any
                }
            };
        }
        changed
    }

    /// A group's targets' health, with its new description if it was described again (a
    /// health-only answer for a group not held is dropped: it cannot be shown without one).
    fn apply_target_health(
        &mut self,
        arn: String,
        described: Option<TargetGroup>,
        targets: Vec<TargetHealth>,
        at: Time,
    ) -> bool {
        let prev = self.target_groups.get(&arn);
        // each call's answer is kept when another failed: a description whose attributes could
        // not be read keeps the delay read before; health whose group could not be described
        // shows under the name in its ARN (described "never", so it is described next poll)
        let (group, described_at) = match (described, prev) {
            (Some(mut g), p) => {
                if g.deregistration_delay_s.is_none() {
                    g.deregistration_delay_s = p.and_then(|p| p.group.deregistration_delay_s);
                }
                (g, at)
            }
            (None, Some(p)) => (p.group.clone(), p.described_at),
            // health of a group no service uses cannot be shown anywhere: dropped
            (None, None) if !self.services.values().any(|st| st.uses_group(&arn)) => {
                return false;
            }
            (None, None) => (
                TargetGroup {
                    name: target_group_name(&arn).to_string(),
                    arn: arn.clone(),
                    ..Default::default()
                },
                chrono::DateTime::UNIX_EPOCH,
            ),
        };
        let changed = prev.is_none_or(|p| p.targets != targets || p.group != group);
        // a target that is not healthy is evidence dated by this read: its services'
        // findings are dated again (so a replay, which diagnoses after every update, agrees
        // with the live store, which diagnoses after every poll)
        if !changed && targets.iter().any(|t| t.state != "healthy") {
            for (key, st) in self.services.iter() {
                if st.uses_group(&arn) {
                    self.dirty.insert(key.clone());
                }
            }
        }
        if changed {
            let flips = timeline::target_transitions(
                &group.name,
                prev.map(|p| p.targets.as_slice()),
                &targets,
                at,
            );
            for (key, st) in self.services.iter_mut() {
                if st.uses_group(&arn) {
                    self.dirty.insert(key.clone());
                    for f in &flips {
                        st.transitions.push(f.clone());
                    }
                }
            }
        }
        self.target_groups.insert(
            arn,
            TargetGroupState {
                group,
                targets,
                fetched_at: at,
                described_at,
            },
        );
        changed
    }

    fn in_scope(&self, s: &Service) -> bool {
        let scope = &self.place(s.place).spec.scope;
        (scope.clusters.is_empty() || scope.clusters.iter().any(|c| short_name(c) == s.cluster))
            && (scope.services.is_empty()
                || scope
                    .services
                    .iter()
                    .any(|n| n == &s.name || n == &s.arn || short_name(n) == s.name))
    }

    fn apply_services(
        &mut self,
        t: PlaceIx,
        services: Vec<Service>,
        listed_clusters: &[String],
        roster: Option<Vec<ServiceKey>>,
        at: Time,
    ) -> bool {
        let mut changed = false;
        let mut seen = HashSet::new();
        let pb = self.playbook.clone();
        for mut svc in services {
            svc.place = t;
            if !self.in_scope(&svc) {
                continue;
            }
            if self.places[usize::from(t)].account.is_none() {
                self.places[usize::from(t)].account =
                    crate::room::arn_account(&svc.arn).map(str::to_owned);
            }
            let key = svc.key();
            seen.insert(key.clone());
            // Events live once, deduplicated, in ServiceState::events; not again in the Service.
            let events = std::mem::take(&mut svc.events);
            match self.services.get_mut(&key) {
                Some(state) => {
                    let service_changed = state.service != svc;
                    if service_changed {
                        for t in timeline::rollout_transitions(Some(&state.service), &svc, at) {
                            state.transitions.push(t);
                        }
                    }
                    let old = std::mem::replace(&mut state.service, svc);
                    state.note_stage(Some(&old), at);
                    state.note_completed();
                    let events_changed = state.merge_events(&events, &pb);
                    if service_changed || events_changed {
                        changed = true;
                        self.dirty.insert(key.clone());
                    }
                }
                None => {
                    let first = timeline::rollout_transitions(None, &svc, at);
                    let mut state = ServiceState::new(svc);
                    for t in first {
                        state.transitions.push(t);
                    }
                    state.note_stage(None, at);
                    state.note_completed();
                    state.merge_events(&events, &pb);
                    // tasks described before the service was known
                    let mut arns: Vec<&Task> = self
                        .stopped_tasks
                        .values()
                        .filter(|t| {
                            t.place == key.place
                                && t.cluster == key.cluster
                                && t.service_name() == Some(key.service.as_str())
                        })
                        .collect();
                    arns.sort_by_key(|t| std::cmp::Reverse(t.stopped_at));
                    state.stopped = arns.into_iter().map(|t| t.arn.clone()).collect();
                    self.dirty.insert(key.clone());
                    self.services.insert(key, state);
                    changed = true;
                }
            }
        }
        // Services gone from a cluster that was fully listed are removed: those missing from
        // the listing's roster (or, in older recordings, from the whole-fleet answer).
        if let Some(roster) = roster {
            seen = roster
                .into_iter()
                .map(|k| ServiceKey::in_place(t, k.cluster, k.service))
                .collect();
        }
        let before = self.services.len();
        self.services.retain(|k, _| {
            seen.contains(k) || k.place != t || !listed_clusters.iter().any(|c| c == &k.cluster)
        });
        changed | (before != self.services.len())
    }

    fn apply_stopped(&mut self, target: PlaceIx, tasks: Vec<Task>) -> bool {
        let mut changed = false;
        for mut t in tasks {
            t.place = target;
            if t.last_status == "STOPPED" && !self.final_tasks.contains(&t.arn) {
                Arc::make_mut(&mut self.final_tasks).insert(t.arn.clone());
            }
            if self.stopped_tasks.get(&t.arn) == Some(&t) {
                continue;
            }
            changed = true;
            if let Some(name) = t.service_name() {
                let key = ServiceKey::in_place(target, t.cluster.clone(), name);
                if let Some(state) = self.services.get_mut(&key) {
                    if !state.stopped.contains(&t.arn) {
                        state.stopped.push(t.arn.clone());
                    }
                    self.dirty.insert(key);
                }
            }
            self.stopped_tasks.insert(t.arn.clone(), t);
        }
        if changed {
            let tasks = &self.stopped_tasks;
            for state in self.services.values_mut() {
                state.stopped.sort_by(|a, b| {
                    let ta = tasks.get(a).and_then(|t| t.stopped_at.or(t.stopping_at));
                    let tb = tasks.get(b).and_then(|t| t.stopped_at.or(t.stopping_at));
                    tb.cmp(&ta).then_with(|| a.cmp(b))
                });
                state.stopped.truncate(STOPPED_KEPT);
            }
        }
        changed
    }

    /// The running tasks of one service replace the last read. ListTasks' `serviceName` is
    /// trusted only as far as each task's `group` agrees (moto ignores the filter).
    fn apply_running(&mut self, key: ServiceKey, tasks: Vec<Task>, at: Time) -> bool {
        let Some(state) = self.services.get_mut(&key) else {
            return false;
        };
        let mut mine: Vec<Task> = tasks
            .into_iter()
            .filter(|t| t.service_name() == Some(key.service.as_str()))
            .map(|t| Task {
                place: key.place,
                ..t
            })
            .collect();
        mine.sort_by(|a, b| {
            a.started_at
                .cmp(&b.started_at)
                .then_with(|| a.arn.cmp(&b.arn))
        });
        state.running_read_at = Some(at);
        if state.running == mine {
            return false;
        }
        state.running = mine;
        self.dirty.insert(key);
        true
    }

    fn apply_metrics(&mut self, series: Vec<(ServiceKey, MetricKind, Vec<MetricPoint>)>) -> bool {
        let mut changed = false;
        for (key, kind, points) in series {
            let Some(state) = self.services.get_mut(&key) else {
                continue;
            };
            let ring = state
                .metrics
                .entry(kind)
                .or_insert_with(|| Ring::new(METRIC_POINTS_KEPT));
            for p in points {
                // a re-read minute (CloudWatch revises the last ones) replaces what we had
                match ring.find_last_mut(|q| q.t <= p.t) {
                    Some(q) if q.t == p.t => {
                        if q.v != p.v {
                            q.v = p.v;
                            changed = true;
                        }
                    }
                    _ => {
                        ring.insert_by_key(p, |q| q.t);
                        changed = true;
                    }
                }
            }
        }
        changed
    }

    fn apply_logs(&mut self, batches: Vec<(ServiceKey, Vec<LogLine>)>) -> bool {
        let mut changed = false;
        for (key, lines) in batches {
            let Some(state) = self.services.get_mut(&key) else {
                continue;
            };
            for l in lines {
                if state.log_ids.insert(l.event_id.clone()) {
                    // late batches go in time order, not at the end
                    if let Some(gone) = state.logs.insert_by_key(l, |x| x.t) {
                        state.log_ids.remove(&gone.event_id);
                    }
                    changed = true;
                }
            }
        }
        changed
    }

    /// Mark dirty the services with a running or held stopped task on one of `instances`.
    fn dirty_hosted_on(&mut self, instances: &HashSet<String>) {
        if instances.is_empty() {
            return;
        }
        let on = |t: &Task| {
            t.container_instance_arn
                .as_ref()
                .is_some_and(|a| instances.contains(a))
        };
        for (key, st) in &self.services {
            if st.running.iter().any(on)
                || st
                    .stopped
                    .iter()
                    .filter_map(|a| self.stopped_tasks.get(a))
                    .any(on)
            {
                self.dirty.insert(key.clone());
            }
        }
    }
}
