use bytes::Bytes;
use clientcookie::backend::{reqwest_client_builder, Resolver};
use clientcookie::Opener;
use clientcookie_testsite::TestSite;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let which = args[1].clone();
    let n: usize = args[2].parse().unwrap();
    let site = TestSite::start_in_background().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let url = format!("http://bench.example:{}/status/200", site.addr().port());
    rt.block_on(async {
        match which.as_str() {
            "hyper-bare" => {
                let mut c = HttpConnector::new_with_resolver(Resolver::new([(
                    "bench.example".to_owned(),
                    site.addr(),
                )]));
                c.set_nodelay(true);
                let client: Client<_, Empty<Bytes>> =
                    Client::builder(TokioExecutor::new()).build(c);
                for _ in 0..n {
                    let r = client.get(url.parse().unwrap()).await.unwrap();
                    r.into_body().collect().await.unwrap();
                }
            }
            "reqwest-bare" => {
                let client = reqwest_client_builder()
                    .resolve("bench.example", site.addr())
                    .no_proxy()
                    .build()
                    .unwrap();
                for _ in 0..n {
                    client
                        .get(&url)
                        .send()
                        .await
                        .unwrap()
                        .bytes()
                        .await
                        .unwrap();
                }
            }
            other => {
                let b = Opener::builder()
                    .resolve("bench.example", site.addr())
                    .no_proxy();
                let b = if other == "hyper-opener" {
                    b.hyper()
                } else {
                    b.reqwest()
                };
                let flags = args.get(3).cloned().unwrap_or_default();
                let b = b
                    .redirects(!flags.contains('R'))
                    .refresh(!flags.contains('F'))
                    .referer(!flags.contains('E'))
                    .cookies(!flags.contains('C'));
                let o = b.build().unwrap();
                for _ in 0..n {
                    o.get(&url).await.unwrap().bytes().await.unwrap();
                }
            }
        }
    });
}
