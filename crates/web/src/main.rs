//! Entry point of the kplay site: renders the app into the page body.

fn main() {
    yew::Renderer::<kplay_web::App>::new().render();
}
