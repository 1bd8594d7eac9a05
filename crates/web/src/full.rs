//! The full app (`kplay-full`): every view, the concept pages and the lessons, loaded on demand by the
//! landing page or first by an address only it shows ([`kplay_web::loader`]). Panics show in an error
//! banner.

fn main() {
    yew::set_custom_panic_hook(Box::new(kplay_web::show_panic));
    yew::Renderer::<kplay_web::App>::new().render();
}
