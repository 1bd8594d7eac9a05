//! The site's first load (`kplay-web`): the order flow's landing page, which loads the full app
//! (`kplay-full`) when another view is asked for ([`kplay_web::loader`]). Panics show in an error banner.

fn main() {
    yew::set_custom_panic_hook(Box::new(kplay_web::show_panic));
    kplay_web::loader::start_landing();
}
