"""Claims: filing, the transition table and every change of status, the customer's status view."""
