// Boot of search.html (issue 10): being written.
document.body.dataset.state = "ready";
