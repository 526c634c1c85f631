//! The `clientcookie` command. Its contract arrives with its issue; until
//! then it prints its version so the binary builds and can be packaged.

fn main() {
    println!("clientcookie {}", env!("CARGO_PKG_VERSION"));
}
