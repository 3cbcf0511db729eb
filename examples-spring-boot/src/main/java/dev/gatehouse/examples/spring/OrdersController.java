package dev.gatehouse.examples.spring;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * The service's own work. Who the caller is arrives in {@code X-User-Id} (set by Gatehouse from a verified token or
 * API key; a client's own copy never gets here), so the controller only reads a header.
 */
@RestController
class OrdersController {
    record Order(long id, String owner, String item, int quantity) {}

    record NewOrder(String item, int quantity) {}

    private final AtomicLong ids = new AtomicLong();
    private final ConcurrentMap<Long, Order> orders = new ConcurrentHashMap<>();

    @GetMapping("/public/catalogue")
    List<Map<String, Object>> catalogue() {
        return List.of(
                Map.of("item", "book", "price", 12, "description", "A book about gateways. ".repeat(20)),
                Map.of("item", "pen", "price", 2, "description", "A pen that writes policies. ".repeat(20)));
    }

    @PostMapping("/api/orders")
    ResponseEntity<Order> place(@RequestHeader("X-User-Id") String owner, @RequestBody NewOrder order) {
        Order placed = new Order(ids.incrementAndGet(), owner, order.item(), order.quantity());
        orders.put(placed.id(), placed);
        return ResponseEntity.status(HttpStatus.CREATED).body(placed);
    }

    @GetMapping("/api/orders/{id}")
    Order find(@RequestHeader("X-User-Id") String owner, @PathVariable long id) {
        Order order = orders.get(id);
        if (order == null || !order.owner().equals(owner)) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no order " + id);
        }
        return order;
    }

    long placed() {
        return ids.get();
    }
}
