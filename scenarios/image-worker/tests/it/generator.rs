//! The generator is deterministic, mixes sizes and formats, and its bad
//! inputs look like what they claim.

use image_worker::InputFormat;
use image_worker::generate::{
    DEFAULT_MAX_MEGAPIXELS, MIN_MEGAPIXELS, Scene, bomb_png, plan, write_set,
};

#[test]
fn same_seed_same_images_other_seed_other_images() {
    let a = plan(5, 42, 0.2);
    assert_eq!(a, plan(5, 42, 0.2));
    assert_ne!(a, plan(5, 43, 0.2));
    let bytes = |s: &image_worker::generate::ImageSpec| s.encode().unwrap();
    assert_eq!(bytes(&a[0]), bytes(&plan(5, 42, 0.2)[0]));
    assert_ne!(
        Scene::new(1, 64, 64).render(),
        Scene::new(2, 64, 64).render()
    );
}

#[test]
fn default_plan_mixes_sizes_up_to_the_maximum_and_both_formats() {
    let specs = plan(200, 1, DEFAULT_MAX_MEGAPIXELS);
    let mp: Vec<f64> = specs
        .iter()
        .map(|s| f64::from(s.width) * f64::from(s.height) / 1e6)
        .collect();
    assert!(
        mp.iter()
            .all(|m| (MIN_MEGAPIXELS * 0.9..=DEFAULT_MAX_MEGAPIXELS * 1.01).contains(m))
    );
    assert!(mp.iter().any(|&m| m > 12.0), "some large images");
    assert!(mp.iter().any(|&m| m < 0.2), "some small images");
    let jpegs = specs
        .iter()
        .filter(|s| s.format == InputFormat::Jpeg)
        .count();
    assert!((100..180).contains(&jpegs), "{jpegs} JPEGs of 200");
}

#[test]
fn images_are_not_flat() {
    let image = Scene::new(9, 160, 120).render();
    let raw = image.as_raw();
    let distinct: std::collections::HashSet<_> = raw.chunks(3).collect();
    assert!(distinct.len() > 1000, "{} distinct colours", distinct.len());
}

#[test]
fn write_set_writes_decodable_files() {
    let dir = tempfile::tempdir().unwrap();
    let specs = plan(4, 3, 0.1);
    let paths = write_set(dir.path(), &specs).unwrap();
    for (spec, path) in specs.iter().zip(&paths) {
        let image = image::open(path).unwrap();
        assert_eq!((image.width(), image.height()), (spec.width, spec.height));
    }
}

#[test]
fn the_bomb_claims_its_size_in_a_valid_header() {
    let bytes = bomb_png(100_000, 100_000);
    assert!(bytes.len() < 100);
    let reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .unwrap();
    assert_eq!(reader.into_dimensions().unwrap(), (100_000, 100_000));
}
