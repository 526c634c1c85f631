//! What a robots.txt check costs once the file is cached: the compiled
//! rules alone, the whole layer around a service that answers at once, and,
//! for contrast, the robotstxt crate's `DefaultMatcher`, which parses the
//! file again for every check.
//!
//! `cargo bench -p clientcookie-layers --bench robots`

use std::convert::Infallible;
use std::hint::black_box;

use clientcookie_layers::robots::{RobotsLayer, RobotsRules};
use criterion::{criterion_group, criterion_main, Criterion};
use http::{Request, Response};
use tower::{service_fn, Layer, Service, ServiceExt};

/// A robots.txt of 500 rules in the `*` group, after a few groups for other
/// crawlers: prefixes, `Allow` exceptions, and 100 wildcard rules (50 of
/// them `/*.extN$`, which every path is a candidate for).
fn five_hundred_rules() -> String {
    let mut text = String::from(
        "# generated for the benchmark\n\
         User-agent: Googlebot\nDisallow: /nogoogle/\n\n\
         User-agent: Bingbot\nUser-agent: Slurp\nDisallow: /nobing/\nCrawl-delay: 5\n\n\
         User-agent: *\n",
    );
    for i in 0..500 {
        let line = match i % 10 {
            0 => format!("Allow: /s{i}/public/\n"),
            1 => format!("Disallow: /*.ext{i}$\n"),
            2 => format!("Disallow: /s{i}/*/private\n"),
            _ => format!("Disallow: /s{i}/\n"),
        };
        text.push_str(&line);
    }
    text.push_str("\nSitemap: https://www.example.com/sitemap.xml\n");
    text
}

/// A disallowed path, an allowed one that no prefix rule is near, an
/// allowed exception, and one that only a wildcard rule refuses.
const PATHS: [(&str, bool); 4] = [
    ("/s123/articles/2024/page.html", false),
    ("/open/area/index.html?lang=en", true),
    ("/s250/public/report", true),
    ("/s92/a/b/private/x", false),
];

fn bench(c: &mut Criterion) {
    let text = five_hundred_rules();
    let rules = RobotsRules::parse(&text);
    assert_eq!(rules.rule_count(), 502);
    for (path, allowed) in PATHS {
        assert_eq!(rules.is_allowed("examplebot", path), allowed, "{path}");
    }

    c.bench_function("robots/compiled: 500-rule file, one check", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % PATHS.len();
            black_box(rules.is_allowed(black_box("examplebot"), black_box(PATHS[i].0)))
        })
    });

    c.bench_function("robots/compile: parse the 500-rule file once", |b| {
        b.iter(|| black_box(RobotsRules::parse(black_box(&text))))
    });

    c.bench_function(
        "robots/DefaultMatcher: 500-rule file, one check (parses again)",
        |b| {
            let urls: Vec<String> = PATHS
                .iter()
                .map(|(path, _)| format!("https://www.example.com{path}"))
                .collect();
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) % urls.len();
                let mut matcher = robotstxt::DefaultMatcher::default();
                black_box(matcher.one_agent_allowed_by_robots(&text, "examplebot", &urls[i]))
            })
        },
    );

    // The whole layer, robots.txt cached: origin key, cache lookup, check,
    // and the call of a service that answers at once.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime");
    // Behind an Arc: the layer clones its inner service for every call.
    let robots_text = std::sync::Arc::new(text.clone());
    let inner = service_fn(move |request: Request<String>| {
        let body = if request.uri().path() == "/robots.txt" {
            String::clone(&robots_text)
        } else {
            String::new()
        };
        async move { Ok::<_, Infallible>(Response::new(body)) }
    });
    let mut service = RobotsLayer::new().user_agent("ExampleBot").layer(inner);
    let urls: Vec<(String, bool)> = PATHS
        .iter()
        .map(|(path, allowed)| (format!("https://www.example.com{path}"), *allowed))
        .collect();
    runtime.block_on(async {
        for (url, allowed) in &urls {
            let request = Request::get(url.as_str())
                .body(String::new())
                .expect("a request");
            let result = service.ready().await.expect("ready").call(request).await;
            assert_eq!(result.is_ok(), *allowed, "{url}");
        }
    });
    c.bench_function("robots/layer: cached origin, check and call", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % urls.len();
            let request = Request::get(urls[i].0.as_str())
                .body(String::new())
                .expect("a request");
            runtime.block_on(async {
                black_box(
                    service
                        .ready()
                        .await
                        .expect("ready")
                        .call(request)
                        .await
                        .is_ok(),
                )
            })
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
