//! Entry point of the kplay site: shows panics in an error banner, then renders the app.

fn main() {
    yew::set_custom_panic_hook(Box::new(kplay_web::show_panic));
    yew::Renderer::<kplay_web::App>::new().render();
}
