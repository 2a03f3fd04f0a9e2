//! What the bench reads in the service's `/metrics` scrape (the scrape
//! itself and the writes go through `perflab_kit::http`).

/// How many requests the latency histogram has counted, or why the scrape
/// does not show it.
pub fn check_scrape(text: &str) -> Result<u64, String> {
    const COUNT: &str = "http_request_duration_seconds_count{";
    if !text.contains("# TYPE http_request_duration_seconds histogram") {
        return Err("no http_request_duration_seconds histogram".into());
    }
    let count: f64 = text
        .lines()
        .filter(|l| l.starts_with(COUNT))
        .filter_map(|l| l.rsplit_once(' ')?.1.parse::<f64>().ok())
        .sum();
    if count < 1.0 {
        return Err("the latency histogram has counted no request yet".into());
    }
    Ok(count as u64)
}
