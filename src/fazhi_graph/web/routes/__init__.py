"""Route modules, one per area: ``sparql``, ``graph_store``, ``service_description``, ``status``."""
