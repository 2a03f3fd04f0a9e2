//! An in-memory baseline source, for tests of code that reads baselines.

use crate::{BaselineId, BaselineSource, StoreError};
use perflab_schema::Run;
use std::collections::BTreeMap;

#[derive(Debug, Default, Clone)]
pub struct Memory {
    runs: BTreeMap<BaselineId, Run>,
}

impl Memory {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn insert(&mut self, id: BaselineId, run: Run) {
        self.runs.insert(id, run);
    }
}

impl BaselineSource for Memory {
    fn describe(&self) -> String {
        "memory".to_owned()
    }

    fn load(&self, id: &BaselineId) -> Result<Option<Run>, StoreError> {
        Ok(self.runs.get(id).cloned())
    }

    fn list(&self) -> Result<Vec<BaselineId>, StoreError> {
        Ok(self.runs.keys().cloned().collect())
    }
}
