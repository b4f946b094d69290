//! Reading users one by one: those whose group is unknown or not readable at group scale,
//! and the resources a group read does not hold (records first, then what the columns
//! need), `concurrency` at a time.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::Semaphore;

use super::{Docs, Event, Reader, UserRow};
use crate::odin::OdinClient;
use crate::resource::Resource;

impl Reader {
    /// Read users one by one (their group unknown) and send them as one unit.
    pub(super) async fn users(&mut self, ids: Vec<String>) -> bool {
        let fresh: Vec<String> = ids
            .into_iter()
            .filter(|id| self.seen.insert(id.clone()))
            .collect();
        let unit = format!("{} users read one by one", fresh.len());
        let (rows, unreadable) = self.one_by_one(&unit, &fresh).await;
        self.send(unit, rows, unreadable).await
    }

    /// Read `ids` one by one (records first, then what the columns need): their rows, and
    /// those that could not be read.
    pub(super) async fn one_by_one(
        &self,
        unit: &str,
        fresh: &[String],
    ) -> (Vec<UserRow>, Vec<(String, String)>) {
        let wants_settings = self.needs.other_settings || !self.needs.bulk.is_empty();
        let each = 1
            + u64::from(wants_settings)
            + u64::from(self.needs.policy)
            + 2 * u64::from(self.needs.sca);
        self.announce(unit, fresh.len(), fresh.len() as u64 * each)
            .await;
        let mut users = Vec::new();
        let mut unreadable = Vec::new();
        let records = self.per_user(fresh, |client, id| async move {
            client.read(Resource::User, &id).await.result
        });
        for (id, record) in fresh.iter().zip(records.await) {
            match record {
                Ok(user) => {
                    if self
                        .plan
                        .selection
                        .filter
                        .as_ref()
                        .is_none_or(|f| f.matches(&user))
                    {
                        users.push((
                            id.clone(),
                            Docs {
                                user,
                                ..Docs::default()
                            },
                        ));
                    }
                }
                Err(error) => unreadable.push((id.clone(), format!("reading user: {error}"))),
            }
        }
        let (rows, more) = self.complete_quietly(users).await;
        unreadable.extend(more);
        (rows, unreadable)
    }

    /// Tell the admin of per-user reads about to be sent (none: nothing told).
    async fn announce(&self, unit: &str, users: usize, requests: u64) {
        if requests > 0 {
            let reads = Event::Reads {
                unit: unit.to_string(),
                users,
                requests,
            };
            let _ = self.events.send(reads).await;
        }
    }

    /// [`Reader::complete_quietly`], the per-user reads it will send told first.
    pub(super) async fn complete(
        &self,
        unit: &str,
        users: Vec<(String, Docs)>,
    ) -> (Vec<UserRow>, Vec<(String, String)>) {
        let flags = self.flags(&users);
        let requests = flags
            .iter()
            .map(|(a, b, c)| u64::from(*a) + u64::from(*b) + u64::from(*c))
            .sum();
        let reading = flags.iter().filter(|(a, b, c)| *a || *b || *c).count();
        self.announce(unit, reading, requests).await;
        self.complete_quietly(users).await
    }

    /// Which of its record, settings and policy each user is still to be read for.
    fn flags(&self, users: &[(String, Docs)]) -> Vec<(bool, bool, bool)> {
        let wants_settings = self.needs.other_settings || !self.needs.bulk.is_empty();
        users
            .iter()
            .map(|(_, d)| {
                let settings = wants_settings && d.settings.is_none();
                (d.row_lacks, settings, self.needs.policy)
            })
            .collect()
    }

    /// Per-user reads of what the documents still lack, then each user's column values.
    async fn complete_quietly(
        &self,
        users: Vec<(String, Docs)>,
    ) -> (Vec<UserRow>, Vec<(String, String)>) {
        let ids: Vec<String> = users.iter().map(|(id, _)| id.clone()).collect();
        let flags = self.flags(&users);
        let flags = Arc::new(flags);
        let index: HashMap<String, usize> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.clone(), i))
            .collect();
        let index = Arc::new(index);
        let sca = self.needs.sca;
        let extra = self
            .per_user(&ids, move |client, id| {
                let (flags, index) = (flags.clone(), index.clone());
                async move {
                    let (record, settings, policy) =
                        index.get(&id).map_or((false, false, false), |i| flags[*i]);
                    let record = match record {
                        true => Some(client.read(Resource::User, &id).await.result?),
                        false => None,
                    };
                    let settings = match settings {
                        true => Some(client.read(Resource::Settings, &id).await.result?),
                        false => None,
                    };
                    let policy = match policy {
                        true => Some(client.read(Resource::Policy, &id).await.result?),
                        false => None,
                    };
                    let sca = match sca {
                        true => Some(crate::export::sca::read(&client, &id).await?),
                        false => None,
                    };
                    Ok((record, settings, policy, sca))
                }
            })
            .await;
        let mut rows = Vec::with_capacity(users.len());
        let mut unreadable = Vec::new();
        let mut users = users;
        for ((_, docs), extra) in users.iter_mut().zip(&extra) {
            if let Ok((Some(record), ..)) = extra {
                docs.user = record.clone();
            }
        }
        if let Err(error) = self.read_memberships(&users).await {
            for (id, _) in users {
                unreadable.push((
                    id,
                    format!("reading its hunt groups or call centers: {error}"),
                ));
            }
            return (rows, unreadable);
        }
        for ((id, mut docs), extra) in users.into_iter().zip(extra) {
            match extra {
                Ok((record, settings, policy, sca)) => {
                    if let Some(record) = record {
                        docs.user = record;
                    }
                    if settings.is_some() {
                        docs.settings = settings;
                    }
                    docs.policy = policy;
                    docs.sca = sca;
                    rows.push(self.row(id, &docs));
                }
                Err(error) => unreadable.push((
                    id,
                    format!("reading the user record, settings, policy or SCA endpoints: {error}"),
                )),
            }
        }
        (rows, unreadable)
    }

    /// The membership lists of the groups `users` live in, each group's read once per
    /// export ([`crate::export::members::read_group`]).
    async fn read_memberships(
        &self,
        users: &[(String, Docs)],
    ) -> Result<(), crate::odin::OdinError> {
        for (_, docs) in users {
            let key = super::home(docs);
            for &resource in &self.needs.members {
                let known = self
                    .memberships
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .contains_key(&(key.clone(), resource));
                if known || key.1.is_empty() {
                    continue;
                }
                let group = (key.0.as_str(), key.1.as_str());
                let read =
                    crate::export::members::read_group(&self.client, resource, group).await?;
                self.memberships
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .insert((key.clone(), resource), Arc::new(read));
            }
        }
        Ok(())
    }

    /// `read(client, id)` for every id, `concurrency` at a time, results in id order.
    async fn per_user<T, F, Fut>(&self, ids: &[String], read: F) -> Vec<Result<T, String>>
    where
        T: Send + 'static,
        F: Fn(Arc<OdinClient>, String) -> Fut,
        Fut: std::future::Future<Output = Result<T, crate::odin::OdinError>> + Send + 'static,
    {
        let slots = Arc::new(Semaphore::new(self.plan.concurrency.max(1)));
        let mut tasks = Vec::with_capacity(ids.len());
        for id in ids {
            let work = read(self.client.clone(), id.clone());
            let slots = slots.clone();
            tasks.push(tokio::spawn(async move {
                let _slot = slots.acquire_owned().await.map_err(|e| e.to_string())?;
                work.await.map_err(|e| e.to_string())
            }));
        }
        let mut results = Vec::with_capacity(tasks.len());
        for task in tasks {
            results.push(task.await.unwrap_or_else(|e| Err(e.to_string())));
        }
        results
    }
}
