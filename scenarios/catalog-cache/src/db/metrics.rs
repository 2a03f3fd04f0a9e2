//! The origin's statement counters on `/metrics`.

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::registry::Registry;
use std::sync::Arc;

use super::{Db, OriginCounts, QueryKind};

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: &'static str,
}

/// Registers `db`'s statement counters as `catalog_db_queries_total{kind}`
/// and `catalog_db_query_seconds_total{kind}`.
pub fn register_metrics(db: &Db, registry: &mut Registry) {
    registry.register_collector(Box::new(OriginCollector(db.counts().clone())));
}

/// Encodes the origin counters at scrape time.
#[derive(Debug)]
struct OriginCollector(Arc<OriginCounts>);

impl Collector for OriginCollector {
    fn encode(&self, mut encoder: DescriptorEncoder<'_>) -> Result<(), std::fmt::Error> {
        {
            let mut family = encoder.encode_descriptor(
                "catalog_db_queries",
                "Statements sent to the database, by kind",
                None,
                MetricType::Counter,
            )?;
            for kind in QueryKind::ALL {
                let labels = KindLabels { kind: kind.name() };
                let counter = ConstCounter::new(self.0.get(kind));
                counter.encode(family.encode_family(&labels)?)?;
            }
        }
        let mut family = encoder.encode_descriptor(
            "catalog_db_query_seconds",
            "Time spent in statements, by kind",
            None,
            MetricType::Counter,
        )?;
        for kind in QueryKind::ALL {
            let labels = KindLabels { kind: kind.name() };
            let counter = ConstCounter::new(self.0.seconds(kind));
            counter.encode(family.encode_family(&labels)?)?;
        }
        Ok(())
    }
}
