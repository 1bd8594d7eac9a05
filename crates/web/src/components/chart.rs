//! A canvas that a chart module draws on whenever its data changes.

use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use crate::charts::{ChartError, lag, latency};

/// Draws with `draw` into the canvas behind the returned ref each time `data` changes; returns the error
/// message of the last failed draw, if any.
#[hook]
fn use_chart<T>(
    data: T,
    draw: fn(HtmlCanvasElement, &T) -> Result<(), ChartError>,
) -> (NodeRef, Option<String>)
where
    T: PartialEq + Clone + 'static,
{
    let canvas = use_node_ref();
    let error = use_state(|| None::<String>);
    {
        let (canvas, error) = (canvas.clone(), error.clone());
        use_effect_with(data, move |data| {
            if let Some(element) = canvas.cast::<HtmlCanvasElement>() {
                let outcome = draw(element, data).err().map(|e| e.to_string());
                if *error != outcome {
                    error.set(outcome);
                }
            }
        });
    }
    (canvas, (*error).clone())
}

/// Props of [`LatencyChart`].
#[derive(Properties, PartialEq)]
pub struct LatencyChartProps {
    /// Both flows' response-time distributions.
    pub data: latency::LatencyData,
}

/// The response-time distribution chart.
#[function_component(LatencyChart)]
pub fn latency_chart(props: &LatencyChartProps) -> Html {
    let (canvas, error) = use_chart(props.data.clone(), latency::draw);
    render(
        canvas,
        error,
        "latency-chart",
        "Response time distribution of both flows",
    )
}

/// Props of [`LagChart`].
#[derive(Properties, PartialEq)]
pub struct LagChartProps {
    /// Lag per service over time.
    pub data: lag::LagData,
}

/// The consumer-lag chart.
#[function_component(LagChart)]
pub fn lag_chart(props: &LagChartProps) -> Html {
    let (canvas, error) = use_chart(props.data.clone(), lag::draw);
    render(
        canvas,
        error,
        "lag-chart",
        "Consumer lag per service over time",
    )
}

fn render(
    canvas: NodeRef,
    error: Option<String>,
    test_id: &'static str,
    label: &'static str,
) -> Html {
    html! {
        <figure class="chart">
            <canvas ref={canvas} data-testid={test_id} width="640" height="320" role="img" aria-label={label} />
            if let Some(message) = error {
                <figcaption class="chart-error">{ message }</figcaption>
            }
        </figure>
    }
}
