//! A canvas that a chart module draws on whenever its data changes, with a button saving it as PNG.

use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use crate::charts::{ChartError, heatmap, latency, service_lines};
use crate::download;

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

/// Props of [`ServiceLinesChart`].
#[derive(Properties, PartialEq)]
pub struct ServiceLinesChartProps {
    /// A line per service over time.
    pub data: service_lines::ServiceLines,
    /// The canvas's test id (`lag-chart`, `throughput-chart`).
    pub test_id: &'static str,
}

/// A line per service over time (lag, throughput).
#[function_component(ServiceLinesChart)]
pub fn service_lines_chart(props: &ServiceLinesChartProps) -> Html {
    let (canvas, error) = use_chart(props.data.clone(), service_lines::draw);
    render(canvas, error, props.test_id, props.data.caption)
}

/// Props of [`HeatmapChart`].
#[derive(Properties, PartialEq)]
pub struct HeatmapChartProps {
    /// Lag per service and partition.
    pub data: heatmap::HeatmapData,
}

/// The per-partition lag heatmap.
#[function_component(HeatmapChart)]
pub fn heatmap_chart(props: &HeatmapChartProps) -> Html {
    let (canvas, error) = use_chart(props.data.clone(), heatmap::draw);
    render(
        canvas,
        error,
        "heatmap-chart",
        "Consumer lag per partition and service",
    )
}

fn render(
    canvas: NodeRef,
    error: Option<String>,
    test_id: &'static str,
    label: &'static str,
) -> Html {
    let save = {
        let canvas = canvas.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(element) = canvas.cast::<HtmlCanvasElement>()
                && let Ok(url) = element.to_data_url()
            {
                download::url(&url, &format!("kplay-{test_id}.png"));
            }
        })
    };
    html! {
        <figure class="chart">
            <canvas ref={canvas} data-testid={test_id} width="640" height="320" role="img" aria-label={label} />
            <figcaption>
                <button type="button" class="link" data-testid={format!("{test_id}-png")} onclick={save}>{ "Save PNG" }</button>
                if let Some(message) = error {
                    <span class="chart-error">{ message }</span>
                }
            </figcaption>
        </figure>
    }
}
