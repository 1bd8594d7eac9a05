//! The site's first load (`kplay-web`): the order flow's landing page, which loads the full app
//! (`kplay-full`) when another view is asked for ([`kplay_web::loader`]) and then steps aside. Panics
//! show in an error banner.

use kplay_web::components::app::landing::Landing;

fn main() {
    yew::set_custom_panic_hook(Box::new(kplay_web::show_panic));
    let app = yew::Renderer::<Landing>::new().render();
    kplay_web::loader::on_handover(move || app.destroy());
}
