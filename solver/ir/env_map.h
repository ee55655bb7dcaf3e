#pragma once
// EnvMap: an immutable-sharing, name-sorted environment (a persistent AVL
// tree). Copying is O(1) and set() is O(log n), copying only the path it
// changes, so a Dockerfile stage can hand every RUN its own environment
// without copying the variables that did not change: the graph of a stage
// with thousands of ENV/ARG and RUN steps stays linear in size.
//
// Iteration yields (name, value) pairs sorted by name, names unique. Values
// compare by content; two maps holding the same pairs are equal whatever
// their history.

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ir {

class EnvMap {
  struct Node;
  using NodePtr = std::shared_ptr<const Node>;

 public:
  using value_type = std::pair<std::string, std::string>;

  class const_iterator {
   public:
    using value_type = EnvMap::value_type;
    using reference = const value_type&;
    using pointer = const value_type*;
    using difference_type = std::ptrdiff_t;
    using iterator_category = std::forward_iterator_tag;
    const_iterator() = default;
    reference operator*() const;
    pointer operator->() const { return &**this; }
    const_iterator& operator++();
    const_iterator operator++(int) {
      const_iterator old = *this;
      ++*this;
      return old;
    }
    friend bool operator==(const const_iterator& a, const const_iterator& b) { return a.m_path == b.m_path; }

   private:
    friend class EnvMap;
    void descend_left(const Node* n);
    std::vector<const Node*> m_path;  // ancestors still to visit; back() is the current node
  };

  EnvMap() = default;
  // Later duplicates win, as with repeated set().
  EnvMap(std::initializer_list<value_type> pairs);
  explicit EnvMap(const std::vector<value_type>& pairs);

  void set(std::string name, std::string value);
  const std::string* find(std::string_view name) const;
  size_t size() const { return m_size; }
  bool empty() const { return m_size == 0; }
  const_iterator begin() const;
  const_iterator end() const { return {}; }
  std::vector<value_type> to_vector() const;

  friend bool operator==(const EnvMap& a, const EnvMap& b);

 private:
  // Entries are shared too: rebuilding a path copies pointers, never the
  // (possibly long) names and values on it.
  using EntryPtr = std::shared_ptr<const value_type>;
  static NodePtr make(EntryPtr kv, NodePtr left, NodePtr right);
  static NodePtr balance(EntryPtr kv, NodePtr left, NodePtr right);
  static NodePtr insert(const NodePtr& tree, EntryPtr& entry, bool& added);

  NodePtr m_root;
  size_t m_size = 0;
};

}  // namespace ir
